package org.mobilekit.demo.core;

import org.json.JSONException;
import org.json.JSONObject;

/**
 * The statistics ExecuTorch's LLM runner reports after each {@code generate()} ({@code
 * LlmCallback.onStats(String json)}, written by {@code stats_to_json_string} in
 * extension/llm/runner/stats.h): {@code prefill_token_per_sec} and {@code decode_token_per_sec} (present
 * only when their interval is positive), {@code prompt_tokens}, {@code generated_tokens} (the decode
 * loop's tokens: the first token, sampled from the prefill, is not among them), and millisecond
 * timestamps on the runner's own clock: {@code model_load_start_ms}/{@code model_load_end_ms},
 * {@code inference_start_ms}, {@code prompt_eval_end_ms}, {@code first_token_ms}, {@code inference_end_ms}.
 */
public final class LlmStats {
  /** The runner's prefill rate, or computed from the timestamps; null when neither is known. */
  public final Double prefillTokS;
  /** The runner's decode rate, or computed; null when neither is known. */
  public final Double decodeTokS;
  public final int promptTokens;
  public final int generatedTokens;
  /** model_load_end_ms - model_load_start_ms, or null when the load was not timed (0 stamps). */
  public final Double loadMs;
  /** first_token_ms - inference_start_ms, or null. */
  public final Double ttftMs;
  /** prompt_eval_end_ms - inference_start_ms, or null. */
  public final Double prefillMs;
  /** inference_end_ms - prompt_eval_end_ms, or null. */
  public final Double decodeMs;
  /** inference_end_ms - inference_start_ms, or null. */
  public final Double totalMs;

  private LlmStats(Double prefillTokS, Double decodeTokS, int promptTokens, int generatedTokens, Double loadMs,
      Double ttftMs, Double prefillMs, Double decodeMs, Double totalMs) {
    this.prefillTokS = prefillTokS;
    this.decodeTokS = decodeTokS;
    this.promptTokens = promptTokens;
    this.generatedTokens = generatedTokens;
    this.loadMs = loadMs;
    this.ttftMs = ttftMs;
    this.prefillMs = prefillMs;
    this.decodeMs = decodeMs;
    this.totalMs = totalMs;
  }

  /**
   * Parses one onStats document.
   *
   * @param json the callback's text
   * @return the figures
   * @throws IllegalArgumentException when it is not the runner's stats JSON
   */
  public static LlmStats parse(String json) {
    try {
      JSONObject o = new JSONObject(json);
      int prompt = o.getInt("prompt_tokens");
      int generated = o.getInt("generated_tokens");
      long inferenceStart = o.optLong("inference_start_ms", 0);
      long promptEvalEnd = o.optLong("prompt_eval_end_ms", 0);
      long inferenceEnd = o.optLong("inference_end_ms", 0);
      long firstToken = o.optLong("first_token_ms", 0);
      Double prefillMs = interval(inferenceStart, promptEvalEnd);
      Double decodeMs = interval(promptEvalEnd, inferenceEnd);
      Double prefillRate = null;
      if (o.has("prefill_token_per_sec")) {
        prefillRate = o.getDouble("prefill_token_per_sec");
      } else if (prefillMs != null && prefillMs > 0) {
        prefillRate = prompt / prefillMs * 1000;
      }
      Double decodeRate = null;
      if (o.has("decode_token_per_sec")) {
        decodeRate = o.getDouble("decode_token_per_sec");
      } else if (decodeMs != null && decodeMs > 0) {
        decodeRate = generated / decodeMs * 1000;
      }
      return new LlmStats(prefillRate, decodeRate, prompt, generated,
          interval(o.optLong("model_load_start_ms", 0), o.optLong("model_load_end_ms", 0)),
          interval(inferenceStart, firstToken), prefillMs, decodeMs, interval(inferenceStart, inferenceEnd));
    } catch (JSONException e) {
      throw new IllegalArgumentException("not an ExecuTorch LLM stats document: " + e.getMessage(), e);
    }
  }

  /** end - start in ms when both stamps were set (the runner leaves unset stamps at 0) and in order. */
  private static Double interval(long start, long end) {
    return start > 0 && end > 0 && end >= start ? (double) (end - start) : null;
  }
}
