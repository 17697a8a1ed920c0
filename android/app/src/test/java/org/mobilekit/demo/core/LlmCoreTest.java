package org.mobilekit.demo.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

/**
 * The Android LLM core on the JVM: the chat template from the manifest against the model's own Jinja
 * template (real SmolLM2 GGUF, tests/apps/data/llm_golden.json), EOS handling of ExecuTorch's token
 * stream, the onStats JSON of ExecuTorch's runner (extension/llm/runner/stats.h), the manifest's llm
 * block and prompts.json, a chat of two turns, and the headless LLM benchmark case writing result.json.
 */
public class LlmCoreTest {
  static JSONObject golden() throws Exception {
    return new JSONObject(new String(Files.readAllBytes(FakeLlm.golden().toPath()), StandardCharsets.UTF_8));
  }

  static LlmSpec.PromptFormat format(JSONObject g) {
    JSONObject f = g.getJSONObject("prompt_format");
    return new LlmSpec.PromptFormat(f.optString("system", null), f.optString("default_system", null),
        f.getString("user"), f.getString("assistant_prefix"), f.optString("assistant_suffix", null));
  }

  @Test
  public void thePromptFormatGivesWhatTheModelsJinjaTemplateGives() throws Exception {
    JSONObject g = golden();
    LlmSpec.PromptFormat fmt = format(g);
    JSONArray cases = g.getJSONArray("cases");
    int chat = 0;
    for (int i = 0; i < cases.length(); i++) {
      JSONObject c = cases.getJSONObject(i);
      if (!c.getBoolean("chat")) {
        continue;
      }
      List<String[]> history = new ArrayList<>();
      JSONArray h = c.getJSONArray("history");
      for (int j = 0; j < h.length(); j++) {
        history.add(new String[] {h.getJSONArray(j).getString(0), h.getJSONArray(j).getString(1)});
      }
      String system = c.isNull("system") ? null : c.getString("system");
      assertEquals(c.getString("id"), c.getString("rendered"), fmt.render(system, history, c.getString("text")));
      chat++;
    }
    assertTrue(chat >= 4);
    // {content} is replaced literally: format characters and $ in the user's text stay as typed
    assertTrue(fmt.render(null, Collections.<String[]>emptyList(), "100% of $1 {x}").contains("user\n100% of $1 {x}<|im_end|>"));
    System.out.println("FIGURE llm_prompt_format cases=" + chat + " equal_to_jinja=true");
  }

  @Test
  public void theEosPieceEndsTheAnswerAndIsNotShown() throws Exception {
    JSONObject answer = golden().getJSONArray("cases").getJSONObject(0).getJSONObject("answer");
    JSONArray pieces = answer.getJSONArray("pieces");
    Set<String> eos = new HashSet<>(Arrays.asList("<|im_end|>"));
    List<String> shown = new ArrayList<>();
    int[] stops = {0};
    LlmGeneration.Clock clock = new LlmGeneration.Clock();
    LlmPieces p = new LlmPieces(eos, 64, shown::add, () -> stops[0]++, clock);
    for (int i = 0; i < pieces.length(); i++) {
      p.onPiece(pieces.getString(i));
    }
    p.onPiece("<|im_end|>");
    p.onPiece(" ignored"); // nothing after EOS counts
    assertTrue(p.sawEos());
    assertEquals(answer.getString("text"), clock.text());
    assertEquals(answer.getString("text"), String.join("", shown));
    assertEquals(pieces.length() + 1, clock.tokens()); // EOS is a generated token, not text
    assertEquals(0, stops[0]);
    LlmGeneration g = clock.finish(37, null, "eos", null);
    assertEquals("eos", g.stopReason);
    assertFalse(g.text.contains("<|im_end|>"));

    // the budget: the runner is asked to stop exactly once, when the last allowed token arrives
    LlmGeneration.Clock c2 = new LlmGeneration.Clock();
    LlmPieces q = new LlmPieces(eos, 3, null, () -> stops[0]++, c2);
    for (String s : new String[] {"a", "b", "c", "d", "e"}) {
      q.onPiece(s);
    }
    assertEquals(1, stops[0]);
    assertEquals("abc", c2.text());
    assertFalse(q.sawEos());
  }

  @Test
  public void eosTextsComeFromTheBundlesTokenizer() throws Exception {
    File bundle = TestFiles.dir("mobilekit.llm_bundle");
    Manifest m = Manifest.load(bundle);
    assertEquals(Collections.singleton("<|im_end|>"),
        ExecuTorchLlm.eosTexts(new File(bundle, m.llm.tokenizerFile), m.llm.eosIds));
    // an EOS that is an ordinary vocabulary entry, not an added token
    File t = File.createTempFile("tokenizer", ".json");
    Files.write(t.toPath(), "{\"added_tokens\": [], \"model\": {\"vocab\": {\"</s>\": 2, \"a\": 3}}}".getBytes(StandardCharsets.UTF_8));
    assertEquals(Collections.singleton("</s>"), ExecuTorchLlm.eosTexts(t, Arrays.asList(2)));
  }

  @Test
  public void statsJsonOfExecuTorchsRunnerIsParsed() {
    // the exact shape stats_to_json_string writes (extension/llm/runner/stats.h), numbers from a phone-sized run
    String json = "{\"prefill_token_per_sec\":123.456,\"decode_token_per_sec\":24.5,\"prompt_tokens\":37,"
        + "\"generated_tokens\":49,\"model_load_start_ms\":1000,\"model_load_end_ms\":1850,"
        + "\"inference_start_ms\":2000,\"inference_end_ms\":4300,\"model_execution_start_ms\":0,"
        + "\"model_execution_end_ms\":0,\"prompt_eval_end_ms\":2300,\"first_token_ms\":2300,"
        + "\"aggregate_sampling_time_ms\":12,\"aggregate_model_execution_time_ms\":2250,"
        + "\"SCALING_FACTOR_UNITS_PER_SECOND\":1000}";
    LlmStats s = LlmStats.parse(json);
    assertEquals(123.456, s.prefillTokS, 1e-9);
    assertEquals(24.5, s.decodeTokS, 1e-9);
    assertEquals(37, s.promptTokens);
    assertEquals(49, s.generatedTokens);
    assertEquals(850.0, s.loadMs, 0);
    assertEquals(300.0, s.ttftMs, 0);
    assertEquals(300.0, s.prefillMs, 0);
    assertEquals(2000.0, s.decodeMs, 0);
    assertEquals(2300.0, s.totalMs, 0);
    // the runner omits a rate whose interval is 0 or negative; then it is computed where the stamps allow
    LlmStats t = LlmStats.parse("{\"prompt_tokens\":10,\"generated_tokens\":0,\"model_load_start_ms\":0,"
        + "\"model_load_end_ms\":0,\"inference_start_ms\":500,\"inference_end_ms\":700,\"prompt_eval_end_ms\":700,"
        + "\"first_token_ms\":700,\"aggregate_sampling_time_ms\":0,\"aggregate_model_execution_time_ms\":0,"
        + "\"SCALING_FACTOR_UNITS_PER_SECOND\":1000}");
    assertEquals(50.0, t.prefillTokS, 1e-9);
    assertNull(t.decodeTokS);
    assertNull(t.loadMs);
    try {
      LlmStats.parse("{\"decode_token_per_sec\": 3}");
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("prompt_tokens"));
    }
    // stats override the Java clock's rates, not its TTFT
    LlmGeneration.Clock clock = new LlmGeneration.Clock();
    clock.token("x");
    LlmGeneration g = clock.finish(-1, null, "max_tokens", s);
    assertEquals(24.5, g.decodeTokS, 0);
    assertEquals(37, g.promptTokens);
    assertEquals(1000 / 24.5, g.decodeMsPerToken(), 1e-9);
    assertTrue(g.ttftMs != null && g.ttftMs < 300);
  }

  @Test
  public void theManifestsLlmBlockAndPromptsAreRead() throws Exception {
    File bundle = TestFiles.dir("mobilekit.llm_bundle");
    Manifest m = Manifest.load(bundle);
    assertEquals("llama", m.llm.architecture);
    assertEquals(Arrays.asList(2), m.llm.eosIds);
    assertTrue(m.llm.isEos(2) && !m.llm.isEos(1));
    assertEquals(512, m.llm.maxSeqLen);
    assertEquals("onnxruntime_genai", m.artifacts.get(1).runtime);
    assertTrue(LlmEngines.generates(m.artifacts.get(0)) && LlmEngines.generates(m.artifacts.get(1)));
    // a folder artifact (issue 15 #13: .mlpackage, here the ORT GenAI folder): bytes and sha256 as export writes them
    assertEquals(m.artifacts.get(1).sha256, Benchmark.sha256(new File(bundle, m.artifacts.get(1).file)));
    assertEquals(m.artifacts.get(1).bytes, TestFiles.sizeBytes(new File(bundle, m.artifacts.get(1).file)));
    LlmPrompts p = LlmPrompts.load(new File(bundle, m.llm.prompts));
    assertEquals(16, p.maxNewTokens);
    for (LlmPrompts.Prompt q : p.prompts) {
      assertEquals(q.id, q.rendered, q.render(m.llm));
    }
    assertEquals(Arrays.asList("raw", "capital"), ids(p.select("raw, capital")));
    try {
      p.select("capital,nope");
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("'nope'") && e.getMessage().contains("capital"));
    }
    assertEquals(16, p.prompts.get(0).expectedFor(m.artifacts.get(0).file, 8).maxNewTokens);
    String text = new String(Files.readAllBytes(new File(bundle, "manifest.json").toPath()), StandardCharsets.UTF_8);
    for (String[] bad : new String[][] {{"\"file\": \"tokenizer.json\"", "\"file\": \"../tokenizer.json\"", "llm.tokenizer.file"},
        {"\"prompts\": \"prompts.json\"", "\"prompts\": \"/data/prompts.json\"", "llm.prompts"}}) {
      assertTrue(bad[0], text.contains(bad[0]));
      try {
        Manifest.parse(text.replace(bad[0], bad[1]));
        fail(bad[1]);
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("manifest " + bad[2]));
      }
    }
  }

  static List<String> ids(List<LlmPrompts.Prompt> ps) {
    List<String> out = new ArrayList<>();
    for (LlmPrompts.Prompt p : ps) {
      out.add(p.id);
    }
    return out;
  }

  @Test
  public void aSecondTurnSendsTheWholeConversationInTheTemplate() throws Exception {
    JSONObject g = golden();
    JSONObject second = null;
    for (int i = 0; i < g.getJSONArray("cases").length(); i++) {
      if (g.getJSONArray("cases").getJSONObject(i).getString("id").equals("second_turn")) {
        second = g.getJSONArray("cases").getJSONObject(i);
      }
    }
    File bundle = TestFiles.dir("mobilekit.llm_bundle");
    Manifest m = Manifest.load(bundle);
    // the fake answers "Hi!" with the golden's first answer of that conversation
    FakeLlm fake = new FakeLlm(FakeLlm.golden(), 0, 0);
    LlmChat chat = new LlmChat(new ScriptedFirstAnswer(fake, second.getJSONArray("history").getJSONArray(0).getString(1)),
        m.llm);
    LlmGeneration first = chat.send("Hi!", null);
    assertEquals("eos", first.stopReason);
    LlmGeneration answer = chat.send(second.getString("text"), null);
    assertEquals(second.getString("rendered"), fake.prompts.get(fake.prompts.size() - 1));
    assertEquals(second.getJSONObject("answer").getString("text"), answer.text);
    assertEquals(2, chat.history().size());
    String line = answer.statsLine();
    assertTrue(line, line.matches("\\d+ tokens \u00b7 [0-9.-]+ tok/s decode \u00b7 [0-9.-]+ tok/s prefill \u00b7 TTFT [0-9-]+ ms \u00b7 eos"));
  }

  /** Answers the first message with a fixed text (then defers to the fake). */
  static final class ScriptedFirstAnswer implements LlmEngine {
    private final FakeLlm fake;
    private final String first;
    private int calls;

    ScriptedFirstAnswer(FakeLlm fake, String first) {
      this.fake = fake;
      this.first = first;
    }

    @Override
    public LlmGeneration generate(String prompt, int promptTokens, int maxNewTokens, TokenListener listener)
        throws Exception {
      if (calls++ > 0) {
        return fake.generate(prompt, promptTokens, maxNewTokens, listener);
      }
      LlmGeneration.Clock c = new LlmGeneration.Clock();
      c.token(first);
      c.token(null);
      return c.finish(-1, null, "eos", null);
    }

    @Override
    public void stop() {}

    @Override
    public String runtimeApi() {
      return "scripted";
    }

    @Override
    public double loadMs() {
      return 0;
    }

    @Override
    public Integer threadsUsed() {
      return 1;
    }

    @Override
    public String describe() {
      return "scripted";
    }

    @Override
    public void close() {}
  }

  @Test
  public void theHeadlessLlmCaseWritesAResultWithOneEntryPerPromptAndRepetition() throws Exception {
    File bundle = TestFiles.dir("mobilekit.llm_bundle");
    List<FakeLlm> opened = new ArrayList<>();
    LlmEngines.setFactoryForTests((dir, manifest, artifact, threads) -> {
      FakeLlm f = new FakeLlm(FakeLlm.golden(), 5, 2);
      opened.add(f);
      return f;
    });
    try {
      File results = new File(System.getProperty("mobilekit.results", System.getProperty("java.io.tmpdir")), "llm");
      File external = new File(results, "external");
      File internal = new File(results, "internal");
      LlmBenchmark.Config cfg = new LlmBenchmark.Config("prompts.json", "capital,raw", 16, 1, 2, 2, true);
      String outcome = new LlmBenchmark(new FakeProbes(), 0.05).execute(Arrays.asList(external, internal),
          bundle.getPath(), "smollm2.xnnpack.8da4w.pte", "jvm-llm-010", cfg, null);
      assertEquals("done", outcome);
      JSONObject r = TestFiles.json(new File(external, "mobilekit/jvm-llm-010/result.json"));
      assertEquals("llm", r.getJSONObject("config").getString("kind"));
      assertEquals(4, r.getJSONObject("config").getInt("iterations"));
      assertEquals(2, r.getJSONObject("config").getInt("repetitions"));
      JSONArray gens = r.getJSONObject("llm").getJSONArray("generations");
      assertEquals(4, gens.length());
      assertEquals(4, r.getJSONArray("latency_ms").length());
      for (int i = 0; i < gens.length(); i++) {
        JSONObject gen = gens.getJSONObject(i);
        assertTrue(gen.toString(), gen.getJSONObject("check").getBoolean("ok"));
        assertEquals("eos", gen.getString("stop_reason"));
        assertTrue(gen.getDouble("decode_tok_s") > 0 && gen.getDouble("ttft_ms") >= 5);
        assertTrue(gen.getLong("start_ms") <= gen.getLong("end_ms"));
      }
      assertEquals("capital", gens.getJSONObject(0).getString("prompt_id"));
      assertEquals(1, gens.getJSONObject(1).getInt("repetition"));
      assertTrue(opened.get(0).closed);
      assertEquals(1 + 4, opened.get(0).prompts.size()); // the warm-up, then 2 prompts x 2
      assertTrue(r.getJSONObject("power_samples").getJSONArray("timed").length() >= 0);
      System.out.println("FIGURE llm_benchmark_jvm generations=" + gens.length() + " decode_tok_s_p50="
          + r.getJSONObject("llm").getJSONObject("summary").get("decode_tok_s"));
      // bad extras and an unknown prompt id end in the error file
      assertTrue(new LlmBenchmark(new FakeProbes(), 0).execute(Arrays.asList(external), bundle.getPath(),
          "smollm2.xnnpack.8da4w.pte", "jvm-llm-bad-011", new LlmBenchmark.Config(null, "nope", 0, 0, 1, 0, false), null)
          .contains("unknown prompt id 'nope'"));
      assertTrue(new File(external, "mobilekit/jvm-llm-bad-011/error").isFile());
    } finally {
      LlmEngines.setFactoryForTests(null);
    }
  }

  @Test
  public void ortGenAiGetsBosOnlyWhenAskedAndThreadsInItsSessionOptions() throws Exception {
    LlmSpec spec = Manifest.load(TestFiles.dir("mobilekit.llm_bundle")).llm;
    assertArrayEquals(new int[] {5, 6}, OrtGenAiLlm.withBos(new int[] {5, 6}, spec)); // SmolLM2: add_bos false
    JSONObject overlay = new JSONObject(OrtGenAiLlm.sessionOverlay(3));
    assertEquals(3, overlay.getJSONObject("model").getJSONObject("decoder").getJSONObject("session_options")
        .getInt("intra_op_num_threads"));
  }
}
