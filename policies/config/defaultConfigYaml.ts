/**
 * The built-in EndpointPickerConfig both dialects load when none is given (GAIE v1.5.0
 * `loadDefaultConfig`, `epp.md` §3.1; llm-d-router v0.10.0, `llm-d-router.md` §2.1): queue-scorer 2,
 * kv-cache-utilization-scorer 2, prefix-cache-scorer 3 in profile `default`, plus the metrics
 * source and extractor. Only the apiVersion (which selects the dialect) differs.
 */
export function defaultConfigYaml(apiVersion: string): string {
  return `apiVersion: ${apiVersion}
kind: EndpointPickerConfig
plugins:
- type: queue-scorer
- type: kv-cache-utilization-scorer
- type: prefix-cache-scorer
- type: metrics-data-source
- type: core-metrics-extractor
schedulingProfiles:
- name: default
  plugins:
  - pluginRef: queue-scorer
    weight: 2
  - pluginRef: kv-cache-utilization-scorer
    weight: 2
  - pluginRef: prefix-cache-scorer
    weight: 3
`;
}
