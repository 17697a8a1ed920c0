package org.mobilekit.demo.core;

import java.io.File;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.pytorch.executorch.EValue;
import org.pytorch.executorch.Module;
import org.pytorch.executorch.Tensor;

/**
 * Runs an ExecuTorch {@code .pte} through the Android AAR's {@code org.pytorch.executorch.Module}
 * (org.pytorch:executorch-android). The file is memory-mapped, {@code forward} is loaded up front so
 * the load time includes method initialisation (XNNPACK delegate set-up), and the input buffer is
 * allocated once.
 */
public final class ExecuTorchRunner implements Runner {
  private final Module module;
  private final FloatBuffer input;
  private final Tensor inputTensor;
  private final String backends;
  private boolean closed;

  /**
   * Loads the program and its forward method.
   *
   * @param file the .pte file
   * @param shape inputs[0]'s concrete shape
   * @param threads CPU threads for the model's operators (>= 1, resolved by {@code Benchmark.Config};
   *     passed as {@code numThreads}, so ExecuTorch's own default of half the cores never applies)
   */
  public ExecuTorchRunner(File file, long[] shape, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1 (resolve 0 with Benchmark.Config.resolvedThreads)");
    }
    module = Module.load(file.getAbsolutePath(), Module.LOAD_MODE_MMAP, threads);
    module.loadMethod("forward");
    String used;
    try {
      used = Arrays.toString(module.getMethodMetadata("forward").getBackends());
    } catch (RuntimeException e) {
      used = "[?]";
    }
    backends = used + " threads=" + threads;
    input = Tensor.allocateFloatBuffer((int) Tensors.numel(shape));
    inputTensor = Tensor.fromBlob(input, shape);
  }

  @Override
  public float[] run(float[] values) {
    input.rewind();
    input.put(values);
    EValue[] out = module.forward(EValue.from(inputTensor));
    if (out.length == 0 || !out[0].isTensor()) {
      throw new IllegalStateException("forward returned no tensor");
    }
    return out[0].toTensor().getDataAsFloatArray();
  }

  @Override
  public String describe() {
    return "executorch " + backends;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      module.destroy();
    }
  }
}
