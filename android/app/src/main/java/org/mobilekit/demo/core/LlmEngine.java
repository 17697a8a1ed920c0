package org.mobilekit.demo.core;

import java.io.Closeable;

/**
 * One loaded LLM artifact that generates greedily (temperature 0) from a rendered prompt. Implementations
 * own native memory: close them. {@link #generate} blocks; call it from one background thread, never the UI
 * thread. {@link #stop} may be called from any thread (the chat's Stop button).
 */
public interface LlmEngine extends Closeable {
  /** Receives each generated piece of text as it comes (on the generating thread). */
  interface TokenListener {
    void onToken(String piece);
  }

  /**
   * Generates a continuation. Ends at an EOS token of the manifest (not shown, not in the text), after
   * {@code maxNewTokens} tokens, at the manifest's max_seq_len, or at {@link #stop}.
   *
   * @param prompt the rendered prompt (chat template applied)
   * @param promptTokens the prompt's token count when known (prompts.json), else -1
   * @param maxNewTokens at most this many new tokens
   * @param listener gets each piece, or null
   * @return the text and its figures
   * @throws Exception when the runtime fails
   */
  LlmGeneration generate(String prompt, int promptTokens, int maxNewTokens, TokenListener listener) throws Exception;

  /** Asks a running {@link #generate} to end after the current token. */
  void stop();

  /** What generates on the phone (result.json {@code llm.runtime_api}): LlmModule or ort-genai. */
  String runtimeApi();

  /** Load time in ms (constructor to ready). */
  double loadMs();

  /**
   * The CPU threads passed to the runtime, or null when its API takes no thread count (ExecuTorch's
   * LlmModule: its threadpool decides).
   */
  Integer threadsUsed();

  /** A short description for people and result files. */
  String describe();

  @Override
  void close();
}
