/**
 * @module filters/common/plugin-config
 * The first steps of every filter's `proxy_on_configure`: fetch the plugin configuration's bytes,
 * and report a refused configuration in the one log format the gateway operator (and the
 * schema-agreement tests) look for: `<filter>: invalid configuration: <field>: <problem>`.
 */
import { BufferType, getBufferBytes, logError } from "../sdk/index";

/** The plugin configuration's bytes, or null (logged) when the host does not hand them over. */
export function pluginConfigurationBytes(filter: string): Uint8Array | null {
  const raw = getBufferBytes(BufferType.PluginConfiguration);
  if (raw === null) { logError(filter + ": the plugin configuration is not readable"); return null; }
  return Uint8Array.wrap(raw);
}

/** Logs why a configuration was refused; `proxy_on_configure` then returns false. */
export function logInvalidConfiguration(filter: string, error: string): void {
  logError(filter + ": invalid configuration: " + error);
}
