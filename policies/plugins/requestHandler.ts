/**
 * Group file of helper "cfg" (issue 13): the llm-d-router v0.10.0 request parsers the loader's
 * default parser list needs (`llm-d-router.md` §2.3, §4.10).
 */
import type { PluginDefinition } from '../framework/registry.js';
import { anthropicParser, vertexaiParser, vllmhttpParser } from './datalayer/v010Parsers.js';

export const requestHandlerPlugins: readonly PluginDefinition[] = [anthropicParser, vllmhttpParser, vertexaiParser] as readonly PluginDefinition[];
