package org.mobilekit.demo.core;

import java.io.File;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.pytorch.executorch.EValue;
import org.pytorch.executorch.Module;
import org.pytorch.executorch.Tensor;

/**
 * Runs an ExecuTorch {@code .pte} through the Android AAR's {@code org.pytorch.executorch.Module}
 * (org.pytorch:executorch-android). The file is memory-mapped, {@code forward} is loaded up front so
 * the load time includes method initialisation (XNNPACK delegate set-up), and the float input buffer is
 * allocated once. Multi-input models (token ids + attention mask) get one {@code EValue} per input in
 * the manifest's order, the order {@code forward} takes them in; the tensors made for a list are reused
 * while the same list is passed again (the benchmark's timed loop).
 */
public final class ExecuTorchRunner implements Runner {
  private final Module module;
  private final FloatBuffer input;
  private final Tensor inputTensor;
  private final String inputName;
  private final long[] inputShape;
  private final boolean halfInput;
  private final String backends;
  private List<InputTensor> lastInputs;
  private EValue[] lastValues;
  private boolean closed;

  /**
   * Loads the program and its forward method.
   *
   * @param file the .pte file
   * @param inputName inputs[0]'s name
   * @param dtype inputs[0]'s dtype (float32 pictures go through a preallocated buffer; float16 ones are
   *     rounded to half precision first)
   * @param shape inputs[0]'s concrete shape
   * @param threads CPU threads for the model's operators (>= 1, resolved by {@code Benchmark.Config};
   *     passed as {@code numThreads}, so ExecuTorch's own default of half the cores never applies)
   */
  public ExecuTorchRunner(File file, String inputName, String dtype, long[] shape, int threads) {
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
    this.inputName = inputName;
    inputShape = shape.clone();
    halfInput = "float16".equals(dtype);
    input = halfInput ? null : Tensor.allocateFloatBuffer((int) Tensors.numel(shape));
    inputTensor = halfInput ? null : Tensor.fromBlob(input, shape);
  }

  @Override
  public float[] run(float[] values) {
    if (halfInput) {
      return output(module.forward(EValue.from(Tensor.fromBlob(
          InputTensor.ofHalves(inputName, inputShape, values).halfBits(), inputShape))));
    }
    input.rewind();
    input.put(values);
    return output(module.forward(EValue.from(inputTensor)));
  }

  @Override
  public float[] run(List<InputTensor> inputs) throws UnsupportedArtifactException {
    if (inputs != lastInputs) {
      EValue[] values = new EValue[inputs.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = EValue.from(tensor(inputs.get(i)));
      }
      lastValues = values;
      lastInputs = inputs;
    }
    return output(module.forward(lastValues));
  }

  /**
   * The ExecuTorch tensor of one input, in its dtype.
   *
   * @param t the input
   * @return a tensor over a copy of its values
   * @throws UnsupportedArtifactException for bool inputs (no bool fromBlob in the Java API)
   */
  static Tensor tensor(InputTensor t) throws UnsupportedArtifactException {
    switch (t.dtype) {
      case "float32":
        return Tensor.fromBlob(t.floats(), t.shape);
      case "int64":
        return Tensor.fromBlob(t.longs(), t.shape);
      case "int32":
        return Tensor.fromBlob(t.ints(), t.shape);
      case "int8":
        return Tensor.fromBlob(t.bytes(), t.shape);
      case "uint8":
        return Tensor.fromBlobUnsigned(t.bytes(), t.shape);
      case "float16":
        return Tensor.fromBlob(t.halfBits(), t.shape); // a Tensor_float16 (HALF) over the raw bits
      default:
        throw new UnsupportedArtifactException("input '" + t.name + "' is " + t.dtype + ": ExecuTorch's Java API "
            + "takes float32, float16, int64, int32, int8 and uint8 tensors; re-export with that input as "
            + "int32/int64/float32");
    }
  }

  private static float[] output(EValue[] out) {
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
