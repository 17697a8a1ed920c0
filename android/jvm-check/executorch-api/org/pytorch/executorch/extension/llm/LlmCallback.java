package org.pytorch.executorch.extension.llm;

/**
 * Compile-time stand-in for the AAR's {@code LlmCallback} (Kotlin, built with -Xjvm-default=all, so
 * onStats/onError are Java default methods); every member is checked against aar-api.txt.
 */
public interface LlmCallback {
  void onResult(String result);

  default void onStats(String stats) {}

  default void onError(int errorCode, String message) {}
}
