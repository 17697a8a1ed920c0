package org.pytorch.executorch;

/** Compile-time stand-in (see Module). */
public class EValue {
  private EValue() {}

  public static EValue from(Tensor tensor) {
    throw new UnsupportedOperationException();
  }

  public boolean isTensor() {
    throw new UnsupportedOperationException();
  }

  public Tensor toTensor() {
    throw new UnsupportedOperationException();
  }
}
