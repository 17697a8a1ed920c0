package org.mobilekit.demo.core;

import java.util.Set;

/**
 * What ExecuTorch's LLM runner hands {@code LlmCallback.onResult}, turned into the answer: one piece of
 * text per generated token, the EOS token's own text included (the runner decodes and reports a token
 * before it checks for EOS). An EOS piece ends the answer and is neither shown nor kept; pieces after it
 * are ignored; when {@code maxNewTokens} tokens have come, the runner is asked to stop.
 */
public final class LlmPieces {
  private final Set<String> eosTexts;
  private final int maxNewTokens;
  private final LlmEngine.TokenListener listener;
  private final Runnable stopRunner;
  private final LlmGeneration.Clock clock;
  private boolean eos;
  private boolean stopSent;

  /**
   * @param eosTexts the EOS tokens' texts ({@link ExecuTorchLlm#eosTexts})
   * @param maxNewTokens the token budget
   * @param listener gets each shown piece, or null
   * @param stopRunner asks the runner to end (LlmModule.stop)
   * @param clock times the generation and keeps the text
   */
  public LlmPieces(Set<String> eosTexts, int maxNewTokens, LlmEngine.TokenListener listener, Runnable stopRunner,
      LlmGeneration.Clock clock) {
    this.eosTexts = eosTexts;
    this.maxNewTokens = maxNewTokens;
    this.listener = listener;
    this.stopRunner = stopRunner;
    this.clock = clock;
  }

  /**
   * One onResult call.
   *
   * @param piece the token's text
   */
  public void onPiece(String piece) {
    if (eos || (stopSent && clock.tokens() >= maxNewTokens)) {
      return;
    }
    if (eosTexts.contains(piece)) {
      eos = true;
      clock.token(null);
      return;
    }
    clock.token(piece);
    if (listener != null) {
      listener.onToken(piece);
    }
    if (clock.tokens() >= maxNewTokens && !stopSent) {
      stopSent = true;
      stopRunner.run();
    }
  }

  /** Whether an EOS token ended the answer. */
  public boolean sawEos() {
    return eos;
  }
}
