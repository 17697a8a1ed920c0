package org.mobilekit.demo.core;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * A stand-in LLM for JVM tests (no native LLM runtime loads on a desktop JVM): it answers each prompt
 * the golden file renders (tests/apps/data/llm_golden.json, from the real SmolLM2 GGUF) with that case's
 * real token ids and texts, one token every {@code tokenDelayMs}, then the EOS token, through the same
 * {@link LlmGeneration.Clock} and stop rules as the real engines. Unknown prompts get a fixed answer.
 */
public final class FakeLlm implements LlmEngine {
  /** The canned answers by rendered prompt: {pieces, ids}. */
  private final Map<String, Object[]> answers = new HashMap<>();
  /** The real token counts of the golden prompts. */
  private final Map<String, Integer> promptTokens = new HashMap<>();
  private final int eos;
  private final long tokenDelayMs;
  private final long prefillDelayMs;
  private volatile boolean stop;
  public final List<String> prompts = new ArrayList<>();
  public volatile boolean closed;

  public FakeLlm(File golden, long prefillDelayMs, long tokenDelayMs) throws Exception {
    JSONObject g = new JSONObject(new String(Files.readAllBytes(golden.toPath()), StandardCharsets.UTF_8));
    eos = g.getJSONArray("eos_ids").getInt(0);
    JSONArray cases = g.getJSONArray("cases");
    for (int i = 0; i < cases.length(); i++) {
      JSONObject a = cases.getJSONObject(i).getJSONObject("answer");
      answers.put(cases.getJSONObject(i).getString("rendered"), new Object[] {strings(a.getJSONArray("pieces")),
          ints(a.getJSONArray("token_ids"))});
      promptTokens.put(cases.getJSONObject(i).getString("rendered"), cases.getJSONObject(i).getInt("prompt_tokens"));
    }
    this.prefillDelayMs = prefillDelayMs;
    this.tokenDelayMs = tokenDelayMs;
  }

  /** The golden file's path from -Dmobilekit.llm_golden (check.sh always sets it). */
  public static File golden() {
    String p = System.getProperty("mobilekit.llm_golden", "");
    org.junit.Assume.assumeTrue("set -Dmobilekit.llm_golden to tests/apps/data/llm_golden.json", !p.isEmpty());
    return new File(p);
  }

  private static String[] strings(JSONArray a) throws org.json.JSONException {
    String[] out = new String[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getString(i);
    }
    return out;
  }

  private static int[] ints(JSONArray a) throws org.json.JSONException {
    int[] out = new int[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getInt(i);
    }
    return out;
  }

  @Override
  public LlmGeneration generate(String prompt, int promptTokens, int maxNewTokens, TokenListener listener)
      throws Exception {
    stop = false;
    synchronized (prompts) {
      prompts.add(prompt);
    }
    Object[] a = answers.getOrDefault(prompt, new Object[] {new String[] {"I", " do", " not", " know", "."},
        new int[] {57, 548, 441, 699, 30}});
    String[] pieces = (String[]) a[0];
    int[] ids = (int[]) a[1];
    LlmGeneration.Clock clock = new LlmGeneration.Clock();
    Thread.sleep(prefillDelayMs);
    List<Integer> out = new ArrayList<>();
    String reason = "max_tokens";
    for (int i = 0; i <= pieces.length && out.size() < maxNewTokens; i++) {
      if (stop) {
        reason = "stopped";
        break;
      }
      if (i > 0) {
        Thread.sleep(tokenDelayMs);
      }
      if (i == pieces.length) {
        out.add(eos);
        clock.token(null);
        reason = "eos";
        break;
      }
      out.add(ids[i]);
      clock.token(pieces[i]);
      if (listener != null) {
        listener.onToken(pieces[i]);
      }
    }
    // a real engine knows its prompt's length (its tokenizer): the golden's real count, else about 4 chars a token
    int count = promptTokens > 0 ? promptTokens : this.promptTokens.getOrDefault(prompt, Math.max(1, prompt.length() / 4));
    return clock.finish(count, out, reason, null);
  }

  @Override
  public void stop() {
    stop = true;
  }

  @Override
  public String runtimeApi() {
    return "fake (tests)";
  }

  @Override
  public double loadMs() {
    return 12.5;
  }

  @Override
  public Integer threadsUsed() {
    return 2;
  }

  @Override
  public String describe() {
    return "fake LLM (tests/apps/data/llm_golden.json)";
  }

  @Override
  public void close() {
    closed = true;
  }
}
