package org.mobilekit.demo.core;

import ai.onnxruntime.genai.Config;
import ai.onnxruntime.genai.GenAIException;
import ai.onnxruntime.genai.Generator;
import ai.onnxruntime.genai.GeneratorParams;
import ai.onnxruntime.genai.Model;
import ai.onnxruntime.genai.Sequences;
import ai.onnxruntime.genai.Tokenizer;
import ai.onnxruntime.genai.TokenizerStream;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * An ONNX Runtime GenAI model folder ({@code runtime: onnxruntime_genai}: model.onnx, genai_config.json,
 * tokenizer files) through onnxruntime-genai's Java API ({@code com.microsoft.onnxruntime:onnxruntime-genai-android}).
 *
 * <ul>
 *   <li>{@code Config(folder)} with {@code overlay} setting the decoder session's {@code intra_op_num_threads}
 *       to the case's threads (passed explicitly), then {@code Model(config)} and {@code Tokenizer(model)}.
 *   <li>Each generate: {@code tokenizer.encode(prompt)} (BOS prepended when the manifest says add_bos and the
 *       tokenizer did not), {@code GeneratorParams} with {@code max_length} = prompt + new tokens (capped at
 *       max_seq_len) and {@code do_sample = false} (greedy), {@code Generator.appendTokens} (the prefill),
 *       then {@code generateNextToken}/{@code getLastTokenInSequence(0)} one token at a time, each decoded
 *       with a {@code TokenizerStream}. A manifest EOS id ends it and is not shown.
 *   <li>Times come from the Java clock (GenAI has no stats callback).
 * </ul>
 */
public final class OrtGenAiLlm implements LlmEngine {
  private final Model model;
  private final Tokenizer tokenizer;
  private final LlmSpec spec;
  private final int threads;
  private final double loadMs;
  private final String folder;
  private volatile boolean stopAsked;

  /**
   * Loads the model folder.
   *
   * @param folder the artifact's folder
   * @param spec the manifest's llm block
   * @param threads CPU threads for the decoder session, >= 1
   * @throws GenAIException when GenAI cannot load it
   */
  public OrtGenAiLlm(File folder, LlmSpec spec, int threads) throws GenAIException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    this.spec = spec;
    this.threads = threads;
    this.folder = folder.getName();
    long t0 = System.nanoTime();
    try (Config config = new Config(folder.getAbsolutePath())) {
      config.overlay(sessionOverlay(threads));
      model = new Model(config);
    }
    tokenizer = new Tokenizer(model);
    loadMs = (System.nanoTime() - t0) / 1e6;
  }

  /**
   * The genai_config overlay that sets the decoder's intra-op threads.
   *
   * @param threads the thread count
   * @return the JSON overlay
   */
  static String sessionOverlay(int threads) {
    return "{\"model\": {\"decoder\": {\"session_options\": {\"intra_op_num_threads\": " + threads + "}}}}";
  }

  /**
   * The prompt's ids with BOS first when the manifest asks for it and the tokenizer did not add it.
   *
   * @param ids the tokenizer's ids
   * @param spec the manifest's llm block
   * @return the ids to prefill
   */
  static int[] withBos(int[] ids, LlmSpec spec) {
    if (!spec.addBos || spec.bosId == null || (ids.length > 0 && ids[0] == spec.bosId)) {
      return ids;
    }
    int[] out = new int[ids.length + 1];
    out[0] = spec.bosId;
    System.arraycopy(ids, 0, out, 1, ids.length);
    return out;
  }

  @Override
  public LlmGeneration generate(String prompt, int promptTokens, int maxNewTokens, TokenListener listener)
      throws GenAIException {
    stopAsked = false;
    LlmGeneration.Clock clock = new LlmGeneration.Clock();
    int[] ids;
    try (Sequences seq = tokenizer.encode(prompt)) {
      ids = withBos(seq.getSequence(0), spec);
    }
    List<Integer> generated = new ArrayList<>();
    String reason = "max_tokens";
    try (GeneratorParams params = new GeneratorParams(model)) {
      params.setSearchOption("max_length", Math.min(spec.maxSeqLen, ids.length + maxNewTokens));
      params.setSearchOption("do_sample", false);
      try (Generator generator = new Generator(model, params); TokenizerStream stream = tokenizer.createStream()) {
        generator.appendTokens(ids);
        while (!generator.isDone() && generated.size() < maxNewTokens) {
          if (stopAsked) {
            reason = "stopped";
            break;
          }
          generator.generateNextToken();
          int token = generator.getLastTokenInSequence(0);
          generated.add(token);
          if (spec.isEos(token)) {
            clock.token(null);
            reason = "eos";
            break;
          }
          String piece = stream.decode(token);
          clock.token(piece);
          if (listener != null) {
            listener.onToken(piece);
          }
        }
      }
    }
    return clock.finish(ids.length, generated, reason, null);
  }

  @Override
  public void stop() {
    stopAsked = true;
  }

  @Override
  public String runtimeApi() {
    return "ort-genai";
  }

  @Override
  public double loadMs() {
    return loadMs;
  }

  @Override
  public Integer threadsUsed() {
    return threads;
  }

  @Override
  public String describe() {
    return "onnxruntime-genai " + folder + " threads=" + threads;
  }

  @Override
  public void close() {
    tokenizer.close();
    model.close();
  }
}
