package org.pytorch.executorch;

/** Compile-time stand-in (see Module). */
public final class EValue {
  private EValue() {}

  public static final EValue from(Tensor tensor) {
    throw new UnsupportedOperationException();
  }

  public final boolean isTensor() {
    throw new UnsupportedOperationException();
  }

  public final Tensor toTensor() {
    throw new UnsupportedOperationException();
  }
}
