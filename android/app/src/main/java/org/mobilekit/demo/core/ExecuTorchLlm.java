package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.json.JSONArray;
import org.json.JSONObject;
import org.pytorch.executorch.extension.llm.LlmCallback;
import org.pytorch.executorch.extension.llm.LlmModule;

/**
 * An ExecuTorch LLM {@code .pte} (KV cache, metadata methods) through the AAR's
 * {@code org.pytorch.executorch.extension.llm.LlmModule}, the runner ExecuTorch ships for Android: the
 * same C++ TextLLMRunner the host's {@code executorch.extension.llm.runner} wraps, so the app's figures are
 * the command line's.
 *
 * <ul>
 *   <li>Loaded with temperature 0 (greedy) and {@code load()} up front (it throws since 1.3), so load time
 *       is separate from the first answer.
 *   <li>Each {@link #generate} starts from an empty context ({@code resetContext()}): the chat sends the
 *       whole rendered conversation, as the template says.
 *   <li>{@code generate(prompt, seqLen, callback, echo=false, temperature=0, numBos, numEos=0)}: numBos is
 *       1 when the manifest's {@code llm.tokenizer.add_bos} says so; {@code seqLen} = prompt + new tokens
 *       when the prompt's length is known, else the manifest's max_seq_len, and the callback stops the
 *       runner at {@code maxNewTokens}.
 *   <li>EOS: the runner hands the EOS token's text to {@code onResult} before it stops; that piece is
 *       counted but not shown ({@link #eosTexts} from the bundle's tokenizer.json).
 *   <li>The rates come from {@code onStats} ({@link LlmStats}); TTFT and the energy window from the Java
 *       clock around {@code generate}.
 * </ul>
 */
public final class ExecuTorchLlm implements LlmEngine {
  private final LlmModule module;
  private final LlmSpec spec;
  private final Set<String> eosTexts;
  private final double loadMs;
  private final String file;
  private volatile boolean stopAsked;

  /**
   * Loads the program and the tokenizer.
   *
   * @param pte the .pte file
   * @param tokenizerJson the bundle's llm.tokenizer.file
   * @param spec the manifest's llm block
   * @throws IOException when the tokenizer cannot be read
   */
  public ExecuTorchLlm(File pte, File tokenizerJson, LlmSpec spec) throws IOException {
    this.spec = spec;
    this.eosTexts = eosTexts(tokenizerJson, spec.eosIds);
    this.file = pte.getName();
    long t0 = System.nanoTime();
    module = new LlmModule(pte.getAbsolutePath(), tokenizerJson.getAbsolutePath(), 0.0f);
    module.load();
    loadMs = (System.nanoTime() - t0) / 1e6;
  }

  @Override
  public LlmGeneration generate(String prompt, int promptTokens, int maxNewTokens, TokenListener listener) {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be >= 1");
    }
    stopAsked = false;
    module.resetContext();
    int seqLen = promptTokens > 0 ? Math.min(spec.maxSeqLen, promptTokens + maxNewTokens) : spec.maxSeqLen;
    LlmGeneration.Clock clock = new LlmGeneration.Clock();
    String[] stats = new String[1];
    String[] error = new String[1];
    LlmPieces pieces = new LlmPieces(eosTexts, maxNewTokens, listener, module::stop, clock);
    LlmCallback callback = new LlmCallback() {
      @Override
      public void onResult(String piece) {
        pieces.onPiece(piece);
      }

      @Override
      public void onStats(String json) {
        stats[0] = json;
      }

      @Override
      public void onError(int errorCode, String message) {
        error[0] = "ExecuTorch LLM error " + errorCode + ": " + message;
      }
    };
    module.generate(prompt, seqLen, callback, false, 0.0f, spec.addBos ? 1 : 0, 0);
    if (error[0] != null) {
      throw new IllegalStateException(error[0]);
    }
    String reason = pieces.sawEos() ? "eos" : stopAsked ? "stopped" : "max_tokens";
    return clock.finish(promptTokens, null, reason, stats[0] == null ? null : LlmStats.parse(stats[0]));
  }

  @Override
  public void stop() {
    stopAsked = true;
    module.stop();
  }

  @Override
  public String runtimeApi() {
    return "LlmModule";
  }

  @Override
  public double loadMs() {
    return loadMs;
  }

  @Override
  public Integer threadsUsed() {
    return null; // LlmModule takes no thread count: ExecuTorch's threadpool sizes itself
  }

  @Override
  public String describe() {
    return "executorch LlmModule " + file;
  }

  @Override
  public void close() {
    module.close();
  }

  /**
   * The text of each EOS token, as the runner's decode gives it to onResult: the token's content from
   * tokenizer.json ({@code added_tokens}, else {@code model.vocab}).
   *
   * @param tokenizerJson a Hugging Face tokenizer.json
   * @param eosIds the manifest's eos_ids
   * @return their texts (ids the file does not name are left out)
   * @throws IOException when the file cannot be read or parsed
   */
  public static Set<String> eosTexts(File tokenizerJson, List<Integer> eosIds) throws IOException {
    try {
      JSONObject o = new JSONObject(new String(Files.readAllBytes(tokenizerJson.toPath()), StandardCharsets.UTF_8));
      Set<String> out = new HashSet<>();
      List<Integer> left = new ArrayList<>(eosIds);
      JSONArray added = o.optJSONArray("added_tokens");
      for (int i = 0; added != null && i < added.length(); i++) {
        JSONObject t = added.getJSONObject(i);
        if (left.remove(Integer.valueOf(t.getInt("id")))) {
          out.add(t.getString("content"));
        }
      }
      JSONObject model = o.optJSONObject("model");
      JSONObject vocab = model == null ? null : model.optJSONObject("vocab");
      if (vocab != null && !left.isEmpty()) {
        for (Iterator<String> it = vocab.keys(); it.hasNext();) {
          String token = it.next();
          if (left.contains(vocab.getInt(token))) {
            out.add(token);
          }
        }
      }
      return Collections.unmodifiableSet(out);
    } catch (org.json.JSONException e) {
      throw new IOException(tokenizerJson + " is not a tokenizer.json: " + e.getMessage(), e);
    }
  }
}
