import { describe, expect, it } from 'vitest';
import { loadPickerConfig } from '../../policies/config/loader.js';
import { LLMD_DEFAULT_CONFIG_YAML } from '../../policies/config/llmd/defaults.js';
describe('smoke', () => {
  it('loads', () => {
    try {
      const c = loadPickerConfig({ text: LLMD_DEFAULT_CONFIG_YAML });
      console.log([...c.types].join(' '));
    } catch (e) { console.log(String(e)); }
  });
});
