/** True when the onnxruntime-node package has been required in this extension host (activation must not do it). */
export function onnxRuntimeLoaded(): boolean {
  return Object.keys(require.cache).some((id) => /[\\/]onnxruntime-node[\\/]/.test(id));
}
