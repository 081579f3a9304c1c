// Adapter between onnxruntime-web and the Workers runtime.
//
// Workers reject WebAssembly compiled from bytes at run time; a `.wasm` file must be imported as a
// module, which wrangler precompiles into a `WebAssembly.Module`. onnxruntime-web 1.31 only takes
// the wasm as bytes (`env.wasm.wasmBinary`) or a URL, and its Emscripten glue then calls
// `WebAssembly.instantiate(bytes, imports)` while the first session is created. The adapter hands
// ORT a placeholder binary and, during session creation, resolves that call with an instance of the
// precompiled module. Every other call goes to the real `WebAssembly.instantiate`.

import * as ort from "onnxruntime-web/wasm";
import ortWasm from "onnxruntime-web/ort-wasm-simd-threaded.wasm";

/** The 8-byte header of an empty wasm module: recognisable, and valid if it ever reached the real API. */
const PLACEHOLDER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/**
 * Creates an onnxruntime-web session inside a Worker isolate. Isolates cannot start threads, so
 * ORT runs on one thread with no proxy worker. Callers keep one session per isolate.
 *
 * @example
 * const session = await createOrtSession(new Uint8Array(modelBytes));
 */
export async function createOrtSession(model: Uint8Array): Promise<ort.InferenceSession> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = PLACEHOLDER.buffer.slice(0);
  ort.env.logLevel = "error";

  const realInstantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async function instantiatePrecompiledOrt(source: unknown, imports?: WebAssembly.Imports) {
    if (isPlaceholder(source)) {
      const instance = await realInstantiate(ortWasm, imports);
      return { instance, module: ortWasm };
    }
    return realInstantiate(source as BufferSource, imports);
  } as typeof WebAssembly.instantiate;

  try {
    return await ort.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  } finally {
    WebAssembly.instantiate = realInstantiate;
  }
}

function isPlaceholder(source: unknown): boolean {
  if (!(source instanceof Uint8Array)) return false;
  return source.length === PLACEHOLDER.length && source.every((byte, i) => byte === PLACEHOLDER[i]);
}

export { ort };
