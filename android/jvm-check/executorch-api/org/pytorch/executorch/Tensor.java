package org.pytorch.executorch;

import java.nio.FloatBuffer;

/** Compile-time stand-in (see Module). */
public abstract class Tensor {
  private Tensor() {}

  public static final FloatBuffer allocateFloatBuffer(int numElements) {
    throw new UnsupportedOperationException();
  }

  public static final Tensor fromBlob(FloatBuffer data, long[] shape) {
    throw new UnsupportedOperationException();
  }

  public static final Tensor fromBlob(float[] data, long[] shape) {
    throw new UnsupportedOperationException();
  }

  public static final Tensor fromBlob(long[] data, long[] shape) {
    throw new UnsupportedOperationException();
  }

  public static final Tensor fromBlob(int[] data, long[] shape) {
    throw new UnsupportedOperationException();
  }

  public static final Tensor fromBlob(byte[] data, long[] shape) {
    throw new UnsupportedOperationException();
  }

  public static final Tensor fromBlob(short[] data, long[] shape) {
    throw new UnsupportedOperationException();
  }

  public static final Tensor fromBlobUnsigned(byte[] data, long[] shape) {
    throw new UnsupportedOperationException();
  }

  public float[] getDataAsFloatArray() {
    throw new UnsupportedOperationException();
  }
}
