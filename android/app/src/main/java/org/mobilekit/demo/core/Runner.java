package org.mobilekit.demo.core;

import java.io.Closeable;

/**
 * One loaded artifact that maps inputs[0] to outputs[0]. Implementations own native memory: close
 * them. They are not thread-safe; call them from one background thread, never the UI thread.
 */
public interface Runner extends Closeable {
  /**
   * Runs one inference.
   *
   * @param input inputs[0] as float32, in the manifest's shape and layout
   * @return outputs[0] as float32, flattened
   * @throws Exception when the runtime fails
   */
  float[] run(float[] input) throws Exception;

  /**
   * What actually runs the model, for people and result files: e.g. "executorch [XnnpackBackend]",
   * "onnxruntime xnnpack" or "onnxruntime cpu (xnnpack unavailable: ...)".
   *
   * @return a short description
   */
  String describe();

  /** Releases the model. Safe to call twice. */
  @Override
  void close();
}
