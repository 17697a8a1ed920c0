package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * One named model input with its dtype and concrete shape, holding its values in the Java array that
 * matches the dtype: {@code float[]} (float32), {@code long[]} (int64), {@code int[]} (int32),
 * {@code byte[]} (int8, uint8, bool) or {@code short[]} (float16 bits). Runners turn it into an ExecuTorch
 * {@code Tensor} or an ONNX Runtime {@code OnnxTensor}; the bundle's raw little-endian sample files are
 * read into it with {@link #readLE}.
 */
public final class InputTensor {
  public final String name;
  /** float32, float16, int64, int32, int8, uint8 or bool (the manifest's dtype names). */
  public final String dtype;
  /** Concrete dimensions (no -1). */
  public final long[] shape;
  private final Object data;

  private InputTensor(String name, String dtype, long[] shape, Object data) {
    this.name = name;
    this.dtype = dtype;
    this.shape = shape.clone();
    this.data = data;
    long n = Tensors.numel(this.shape);
    if (n != length(data)) {
      throw new IllegalArgumentException("input '" + name + "': " + length(data) + " values for shape "
          + Arrays.toString(this.shape) + " (" + n + " elements)");
    }
  }

  /**
   * A float32 input.
   *
   * @param name the model input's name
   * @param shape its concrete shape
   * @param values row-major values
   * @return the tensor
   */
  public static InputTensor ofFloats(String name, long[] shape, float[] values) {
    return new InputTensor(name, "float32", shape, values);
  }

  /**
   * An integer input (token ids, masks) in the model's integer dtype.
   *
   * @param name the model input's name
   * @param dtype int64, int32, int8, uint8 or bool
   * @param shape its concrete shape
   * @param values row-major values (narrowed to the dtype)
   * @return the tensor
   */
  public static InputTensor ofLongs(String name, String dtype, long[] shape, long[] values) {
    switch (dtype) {
      case "int64":
        return new InputTensor(name, dtype, shape, values.clone());
      case "int32": {
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = (int) values[i];
        }
        return new InputTensor(name, dtype, shape, out);
      }
      case "int8":
      case "uint8":
      case "bool": {
        byte[] out = new byte[values.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = (byte) values[i];
        }
        return new InputTensor(name, dtype, shape, out);
      }
      default:
        throw new IllegalArgumentException("input '" + name + "' is " + dtype + ", not an integer dtype");
    }
  }

  /**
   * Zeros for a float input that the bundle has no sample for. Integer inputs are refused: zero token
   * ids and an all-zero attention mask make a text model output nothing meaningful (often zeros, which
   * then "match" every artifact).
   *
   * @param input the manifest's input
   * @return zeros in the input's shape
   * @throws IllegalArgumentException for integer, bool or float16 inputs
   */
  public static InputTensor zeros(Manifest.Input input) {
    long[] shape = Tensors.concrete(input.shape);
    if (!"float32".equals(input.dtype)) {
      throw new IllegalArgumentException("input '" + input.name + "' (" + input.dtype + Arrays.toString(input.shape)
          + ") has no sample data in the bundle (sample.inputs), and " + input.dtype + " inputs are not filled with "
          + "zeros (token ids and an attention mask of zeros make a meaningless run): re-export the bundle with a "
          + "mobilekit that writes sample.inputs" + ("float16".equals(input.dtype) ? "" : " (text models: --tokenizer)"));
    }
    return ofFloats(input.name, shape, new float[(int) Tensors.numel(shape)]);
  }

  /**
   * Reads a raw little-endian tensor file.
   *
   * @param file the file (a bundle's {@code sample.inputs[i].file})
   * @param name the model input's name
   * @param dtype the file's dtype
   * @param shape the concrete shape
   * @return the tensor
   * @throws IOException when the file cannot be read or its size does not match dtype x shape
   */
  public static InputTensor readLE(File file, String name, String dtype, long[] shape) throws IOException {
    byte[] raw = Files.readAllBytes(file.toPath());
    int size = elementSize(dtype);
    long n = Tensors.numel(shape);
    if (raw.length != n * size) {
      throw new IOException(file.getName() + " has " + raw.length + " bytes; input '" + name + "' needs "
          + (n * size) + " (" + dtype + Arrays.toString(shape) + ", little-endian)");
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    Object data;
    switch (dtype) {
      case "float32": {
        float[] v = new float[(int) n];
        b.asFloatBuffer().get(v);
        data = v;
        break;
      }
      case "int64": {
        long[] v = new long[(int) n];
        b.asLongBuffer().get(v);
        data = v;
        break;
      }
      case "int32": {
        int[] v = new int[(int) n];
        b.asIntBuffer().get(v);
        data = v;
        break;
      }
      case "float16": {
        short[] v = new short[(int) n];
        b.asShortBuffer().get(v);
        data = v;
        break;
      }
      default:
        data = raw;
    }
    return new InputTensor(name, dtype, shape, data);
  }

  /**
   * Bytes per element of a manifest dtype.
   *
   * @param dtype float32, float16, int64, int32, int8, uint8 or bool
   * @return 8, 4, 2 or 1
   * @throws IllegalArgumentException for an unknown dtype
   */
  public static int elementSize(String dtype) {
    switch (dtype) {
      case "int64":
        return 8;
      case "float32":
      case "int32":
        return 4;
      case "float16":
        return 2;
      case "int8":
      case "uint8":
      case "bool":
        return 1;
      default:
        throw new IllegalArgumentException("unknown dtype '" + dtype + "'");
    }
  }

  /**
   * Whether a manifest dtype holds integers (token ids, masks, segment ids) rather than real numbers.
   *
   * @param dtype a manifest dtype
   * @return true for int64, int32, int8, uint8 and bool
   */
  public static boolean isInteger(String dtype) {
    return !"float32".equals(dtype) && !"float16".equals(dtype);
  }

  /**
   * The same values in another dtype (int64 sample data for an int32 model input, and so on).
   *
   * @param target the dtype the model input declares
   * @return this tensor when the dtype already matches, else a converted copy
   * @throws IllegalArgumentException when integers and floats would be mixed
   */
  public InputTensor as(String target) {
    if (target.equals(dtype)) {
      return this;
    }
    if (isInteger(target) && isInteger(dtype)) {
      return ofLongs(name, target, shape, longs());
    }
    if ("float32".equals(target) && isInteger(dtype)) {
      long[] v = longs();
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = v[i];
      }
      return ofFloats(name, shape, f);
    }
    if ("float16".equals(target) && "float32".equals(dtype)) {
      return ofHalves(name, shape, floats());
    }
    if ("float32".equals(target) && "float16".equals(dtype)) {
      short[] h = halfBits();
      float[] f = new float[h.length];
      for (int i = 0; i < h.length; i++) {
        f[i] = fromHalf(h[i]);
      }
      return ofFloats(name, shape, f);
    }
    throw new IllegalArgumentException("input '" + name + "': sample data is " + dtype + " but the model takes "
        + target);
  }

  /**
   * A float16 input from float32 values (a picture for a model exported with float16 inputs).
   *
   * @param name the model input's name
   * @param shape its concrete shape
   * @param values row-major float32 values, each rounded to the nearest half (ties to even)
   * @return the tensor
   */
  public static InputTensor ofHalves(String name, long[] shape, float[] values) {
    short[] h = new short[values.length];
    for (int i = 0; i < h.length; i++) {
      h[i] = toHalf(values[i]);
    }
    return new InputTensor(name, "float16", shape, h);
  }

  /**
   * IEEE 754 binary16 bits of a float, rounded to nearest, ties to even (as numpy's astype(float16)):
   * overflow gives infinity, tiny values become subnormals or zero, NaN stays NaN.
   *
   * @param f the value
   * @return its half-precision bits
   */
  public static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      int full = mant | 0x800000;
      int shift = 14 - e;
      int half = full >>> shift;
      int rem = full & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is right, up to infinity
    }
    return (short) (sign | half);
  }

  /**
   * The float value of IEEE 754 binary16 bits (exact).
   *
   * @param h half-precision bits
   * @return the value
   */
  public static float fromHalf(short h) {
    int sign = (h & 0x8000) << 16;
    int e = (h >>> 10) & 0x1f;
    int m = h & 0x3ff;
    if (e == 0) {
      float v = m * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    if (e == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (m << 13));
    }
    return Float.intBitsToFloat(sign | ((e - 15 + 127) << 23) | (m << 13));
  }

  /** The values of a float32 tensor (shared, do not modify). */
  public float[] floats() {
    return (float[]) expect("float32");
  }

  /** The values of any integer tensor, widened to long (a copy, except for int64 itself). */
  public long[] longs() {
    if (data instanceof long[]) {
      return (long[]) data;
    }
    if (data instanceof int[]) {
      int[] v = (int[]) data;
      long[] out = new long[v.length];
      for (int i = 0; i < v.length; i++) {
        out[i] = v[i];
      }
      return out;
    }
    if (data instanceof byte[]) {
      byte[] v = (byte[]) data;
      long[] out = new long[v.length];
      for (int i = 0; i < v.length; i++) {
        out[i] = "uint8".equals(dtype) || "bool".equals(dtype) ? v[i] & 0xff : v[i];
      }
      return out;
    }
    throw new IllegalStateException("input '" + name + "' is " + dtype + ", not integers");
  }

  /** The values of an int32 tensor (shared). */
  public int[] ints() {
    return (int[]) expect("int32");
  }

  /** The values of an int8, uint8 or bool tensor (shared). */
  public byte[] bytes() {
    if (!(data instanceof byte[])) {
      throw new IllegalStateException("input '" + name + "' is " + dtype + ", not bytes");
    }
    return (byte[]) data;
  }

  /** The raw IEEE half-precision bits of a float16 tensor (shared). */
  public short[] halfBits() {
    return (short[]) expect("float16");
  }

  /** Number of elements. */
  public int numel() {
    return length(data);
  }

  private Object expect(String want) {
    if (!want.equals(dtype)) {
      throw new IllegalStateException("input '" + name + "' is " + dtype + ", not " + want);
    }
    return data;
  }

  private static int length(Object data) {
    if (data instanceof float[]) {
      return ((float[]) data).length;
    }
    if (data instanceof long[]) {
      return ((long[]) data).length;
    }
    if (data instanceof int[]) {
      return ((int[]) data).length;
    }
    if (data instanceof short[]) {
      return ((short[]) data).length;
    }
    return ((byte[]) data).length;
  }
}
