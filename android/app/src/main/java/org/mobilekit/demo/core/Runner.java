package org.mobilekit.demo.core;

import java.io.Closeable;
import java.util.List;

/**
 * One loaded artifact that maps the manifest's inputs to outputs[0]. Implementations own native
 * memory: close them. They are not thread-safe; call them from one background thread, never the UI
 * thread.
 */
public interface Runner extends Closeable {
  /**
   * Runs one inference of a single-input float model (a picture, features).
   *
   * @param input inputs[0] as float32, in the manifest's shape and layout
   * @return outputs[0] as float32, flattened
   * @throws Exception when the runtime fails
   */
  float[] run(float[] input) throws Exception;

  /**
   * Runs one inference with every model input (text models: token ids, attention mask, ...), each in
   * its own dtype. Passing the same list object again lets a runner reuse the tensors it made for it.
   *
   * @param inputs one tensor per manifest input, in manifest order (matched to the model by name)
   * @return outputs[0] as float32, flattened
   * @throws Exception when the runtime fails
   */
  float[] run(List<InputTensor> inputs) throws Exception;

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
