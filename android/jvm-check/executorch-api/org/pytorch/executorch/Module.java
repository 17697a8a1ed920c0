package org.pytorch.executorch;

/**
 * Compile-time stand-in for org.pytorch:executorch-android's Module: only the members the app uses,
 * with the real JVM signatures (check.sh checks each against aar-api.txt, recorded from the real Kotlin).
 * The AAR itself is not reachable from this machine; the app links the real one through Gradle.
 */
public class Module implements java.io.Closeable {
  public static final int LOAD_MODE_MMAP = 1;

  private Module() {}

  public static final Module load(String modelPath, int loadMode, int numThreads) {
    throw new UnsupportedOperationException("ExecuTorch runs on Android only (stand-in class)");
  }

  public EValue[] forward(EValue... inputs) {
    throw new UnsupportedOperationException();
  }

  public void loadMethod(String methodName) {
    throw new UnsupportedOperationException();
  }

  public MethodMetadata getMethodMetadata(String name) {
    throw new UnsupportedOperationException();
  }

  public void destroy() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
