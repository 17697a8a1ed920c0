package org.mobilekit.demo.core;

import java.util.List;
import java.util.Locale;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * One generation: the text, how it ended, and its figures (schemas/result.schema.json, {@code
 * llm.generations[]}). {@link Clock} times a generation from the Java side (what a user waits for);
 * runtimes that report their own figures (ExecuTorch's {@link LlmStats}) supply the rates.
 */
public final class LlmGeneration {
  public final String text;
  /** The generated token ids (EOS included when it came), or null when the runtime gives only text. */
  public final int[] tokenIds;
  public final int promptTokens;
  /** Tokens the model produced, the first one and an EOS included. */
  public final int generatedTokens;
  public final Double prefillTokS;
  public final Double decodeTokS;
  /** From the start of generate() to the first token, on the Java side. */
  public final Double ttftMs;
  public final Double prefillMs;
  public final Double decodeMs;
  public final Double totalMs;
  /** The phone's wall clock around generate(), epoch ms (the runner's energy window). */
  public final long startMs;
  public final long endMs;
  /** eos, max_tokens or stopped. */
  public final String stopReason;

  LlmGeneration(String text, int[] tokenIds, int promptTokens, int generatedTokens, Double prefillTokS,
      Double decodeTokS, Double ttftMs, Double prefillMs, Double decodeMs, Double totalMs, long startMs, long endMs,
      String stopReason) {
    this.text = text;
    this.tokenIds = tokenIds;
    this.promptTokens = promptTokens;
    this.generatedTokens = generatedTokens;
    this.prefillTokS = prefillTokS;
    this.decodeTokS = decodeTokS;
    this.ttftMs = ttftMs;
    this.prefillMs = prefillMs;
    this.decodeMs = decodeMs;
    this.totalMs = totalMs;
    this.startMs = startMs;
    this.endMs = endMs;
    this.stopReason = stopReason;
  }

  /**
   * The line the chat screen shows under an answer.
   *
   * @return e.g. "42 tokens · 12.3 tok/s decode · 85.0 tok/s prefill · TTFT 310 ms · eos"
   */
  public String statsLine() {
    return String.format(Locale.US, "%d tokens \u00b7 %s tok/s decode \u00b7 %s tok/s prefill \u00b7 TTFT %s ms \u00b7 %s",
        generatedTokens, fmt(decodeTokS, "%.1f"), fmt(prefillTokS, "%.1f"), fmt(ttftMs, "%.0f"), stopReason);
  }

  private static String fmt(Double v, String f) {
    return v == null ? "-" : String.format(Locale.US, f, v);
  }

  /**
   * Decode milliseconds per generated token (result.json's {@code latency_ms} entry for an LLM case).
   *
   * @return 1000 / decode tok/s, or null when the decode rate is unknown
   */
  public Double decodeMsPerToken() {
    return decodeTokS == null || decodeTokS <= 0 ? null : 1000.0 / decodeTokS;
  }

  /**
   * One {@code llm.generations[]} entry.
   *
   * @param promptId the prompt's id
   * @param repetition 0-based timed repetition
   * @param pssKbPeak the largest PSS read around this generation, or null
   * @param check the comparison with the host's greedy output, or null
   * @return the JSON object
   * @throws JSONException never for finite figures
   */
  public JSONObject toJson(String promptId, int repetition, Integer pssKbPeak, JSONObject check) throws JSONException {
    JSONObject g = new JSONObject();
    g.put("prompt_id", promptId);
    g.put("repetition", repetition);
    g.put("prompt_tokens", Math.max(0, promptTokens));
    g.put("generated_tokens", generatedTokens);
    g.put("prefill_tok_s", num(prefillTokS));
    g.put("decode_tok_s", num(decodeTokS));
    g.put("ttft_ms", num(ttftMs));
    g.put("prefill_ms", num(prefillMs));
    g.put("decode_ms", num(decodeMs));
    g.put("total_ms", num(totalMs));
    g.put("start_ms", startMs);
    g.put("end_ms", endMs);
    g.put("stop_reason", stopReason);
    g.put("pss_kb_peak", pssKbPeak == null ? JSONObject.NULL : pssKbPeak);
    g.put("text", text);
    if (tokenIds == null) {
      g.put("token_ids", JSONObject.NULL);
    } else {
      JSONArray ids = new JSONArray();
      for (int t : tokenIds) {
        ids.put(t);
      }
      g.put("token_ids", ids);
    }
    g.put("mj_per_token", JSONObject.NULL); // the runner computes it from the power samples in [start_ms, end_ms]
    g.put("check", check == null ? JSONObject.NULL : check);
    return g;
  }

  private static Object num(Double v) {
    return v == null || v.isNaN() || v.isInfinite() ? JSONObject.NULL : Benchmark.round(v, 4);
  }

  /** Times one generation from the Java side and collects its tokens. Not thread-safe beyond one generation. */
  public static final class Clock {
    private final long startNs = System.nanoTime();
    private final long startMs = System.currentTimeMillis();
    private long firstNs;
    private int tokens;
    private final StringBuilder text = new StringBuilder();

    /** A token arrived (EOS included); {@code piece} is its text, or null for an EOS that is not shown. */
    public void token(String piece) {
      if (tokens++ == 0) {
        firstNs = System.nanoTime();
      }
      if (piece != null) {
        text.append(piece);
      }
    }

    /** Tokens so far. */
    public int tokens() {
      return tokens;
    }

    /** The text so far. */
    public String text() {
      return text.toString();
    }

    /**
     * Ends the generation. Without runtime statistics the rates come from this clock: prefill = the prompt
     * over the time to the first token, decode = the tokens after the first over the rest.
     *
     * @param promptTokens the prompt's tokens (-1 when unknown)
     * @param tokenIds the ids, or null
     * @param stopReason eos, max_tokens or stopped
     * @param stats the runtime's own statistics, or null
     * @return the generation
     */
    public LlmGeneration finish(int promptTokens, List<Integer> tokenIds, String stopReason, LlmStats stats) {
      long endNs = System.nanoTime();
      long endMs = System.currentTimeMillis();
      Double ttft = tokens > 0 ? (firstNs - startNs) / 1e6 : null;
      double total = (endNs - startNs) / 1e6;
      Double decode = tokens > 0 ? (endNs - firstNs) / 1e6 : null;
      Double prefillRate = ttft != null && ttft > 0 && promptTokens > 0 ? promptTokens / ttft * 1000 : null;
      Double decodeRate = decode != null && decode > 0 && tokens > 1 ? (tokens - 1) / decode * 1000 : null;
      Double prefillMs = ttft;
      int prompt = promptTokens;
      if (stats != null) {
        prompt = stats.promptTokens;
        prefillRate = stats.prefillTokS != null ? stats.prefillTokS : prefillRate;
        decodeRate = stats.decodeTokS != null ? stats.decodeTokS : decodeRate;
        prefillMs = stats.prefillMs != null ? stats.prefillMs : prefillMs;
        decode = stats.decodeMs != null ? stats.decodeMs : decode;
      }
      int[] ids = null;
      if (tokenIds != null) {
        ids = new int[tokenIds.size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = tokenIds.get(i);
        }
      }
      return new LlmGeneration(text.toString(), ids, prompt, tokens, prefillRate, decodeRate, ttft, prefillMs, decode,
          total, startMs, endMs, stopReason);
    }
  }
}
