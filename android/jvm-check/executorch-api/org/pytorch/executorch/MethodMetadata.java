package org.pytorch.executorch;

/** Compile-time stand-in (see Module). */
public class MethodMetadata {
  private MethodMetadata() {}

  public String[] getBackends() {
    throw new UnsupportedOperationException();
  }
}
