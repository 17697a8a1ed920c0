package org.pytorch.executorch;

/** Compile-time stand-in (see Module). */
public final class MethodMetadata {
  private MethodMetadata() {}

  public final String[] getBackends() {
    throw new UnsupportedOperationException();
  }
}
