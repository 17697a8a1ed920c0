package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;

/** Small tensor helpers: shapes, the bundle's raw little-endian float32 files, arg-max, softmax, top-k. */
public final class Tensors {
  private Tensors() {}

  /**
   * A shape with every dynamic (-1) dimension taken as 1, as the app runs batch-1 inputs.
   *
   * @param shape the manifest's shape
   * @return a concrete copy
   */
  public static long[] concrete(long[] shape) {
    long[] out = shape.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] < 0) {
        out[i] = 1;
      }
    }
    return out;
  }

  /**
   * Number of elements of a concrete shape.
   *
   * @param shape dimensions, none negative
   * @return their product
   */
  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * Reads a raw little-endian float32 file (the bundle's {@code sample_input.bin}).
   *
   * @param file the file
   * @param expected the number of floats the manifest's shape calls for, or -1 to accept any
   * @return the values
   * @throws IOException when the file cannot be read or its size does not match
   */
  public static float[] readFloatsLE(File file, int expected) throws IOException {
    byte[] raw = Files.readAllBytes(file.toPath());
    if (raw.length % 4 != 0 || (expected >= 0 && raw.length != expected * 4)) {
      throw new IOException(file.getName() + " has " + raw.length + " bytes; the manifest's input shape needs "
          + (expected * 4L) + " (float32, little-endian)");
    }
    float[] out = new float[raw.length / 4];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /**
   * Index of the largest value (the first one on ties, as numpy's argmax).
   *
   * @param values non-empty scores
   * @return the index
   */
  public static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Numerically stable softmax.
   *
   * @param logits scores
   * @return probabilities that sum to 1
   */
  public static float[] softmax(float[] logits) {
    float max = logits[argmax(logits)];
    double sum = 0;
    double[] e = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      e[i] = Math.exp(logits[i] - max);
      sum += e[i];
    }
    float[] out = new float[logits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (e[i] / sum);
    }
    return out;
  }

  /**
   * Indices of the k largest values, largest first.
   *
   * @param values scores
   * @param k how many (clamped to the length)
   * @return the indices
   */
  public static int[] topK(float[] values, int k) {
    int n = Math.min(k, values.length);
    int[] idx = new int[n];
    boolean[] used = new boolean[values.length];
    for (int j = 0; j < n; j++) {
      int best = -1;
      for (int i = 0; i < values.length; i++) {
        if (!used[i] && (best < 0 || values[i] > values[best])) {
          best = i;
        }
      }
      used[best] = true;
      idx[j] = best;
    }
    return idx;
  }
}
