package org.mobilekit.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The manifest's {@code llm} block (schemas/manifest.schema.json, docs/llm-contract.md): the tokenizer
 * file every artifact generates from, the chat template as plain strings, BOS/EOS ids and the sequence
 * limit, and the prompts file of the benchmark mode.
 */
public final class LlmSpec {
  /** The manifest's {@code llm.prompt_format}: the chat template as strings the app fills in. */
  public static final class PromptFormat {
    /** With {@code {content}}, or null. */
    public final String system;
    /** The system text used when the user gives none, or null. */
    public final String defaultSystem;
    /** With {@code {content}}. */
    public final String user;
    public final String assistantPrefix;
    /** Appended after an answer before the next turn, or null (nothing). */
    public final String assistantSuffix;

    /**
     * @param system the system turn with {content}, or null
     * @param defaultSystem the default system text, or null
     * @param user the user turn with {content}
     * @param assistantPrefix what opens the assistant's answer
     * @param assistantSuffix what closes an answer before the next turn, or null
     */
    public PromptFormat(String system, String defaultSystem, String user, String assistantPrefix,
        String assistantSuffix) {
      if (user == null || !user.contains(CONTENT)) {
        throw new IllegalArgumentException("llm.prompt_format.user must contain " + CONTENT + ", got " + user);
      }
      if (assistantPrefix == null) {
        throw new IllegalArgumentException("llm.prompt_format.assistant_prefix is required");
      }
      this.system = system;
      this.defaultSystem = defaultSystem;
      this.user = user;
      this.assistantPrefix = assistantPrefix;
      this.assistantSuffix = assistantSuffix;
    }

    /** The placeholder the user's (and the system's) text replaces. */
    public static final String CONTENT = "{content}";

    /**
     * The string a chat sends to the tokenizer (docs/llm-contract.md, "Generating"): the system turn
     * (with {@code systemText}, else {@link #defaultSystem}, when {@link #system} is set and there is a
     * text), then for each earlier exchange the user turn, the assistant prefix, the answer and the
     * assistant suffix, then the new user turn and the assistant prefix. Texts replace {@code {content}}
     * literally (no format characters are interpreted).
     *
     * @param systemText the user's system text, or null for the default
     * @param history earlier exchanges, oldest first: {user text, answer} pairs
     * @param userText the new message
     * @return the rendered prompt
     */
    public String render(String systemText, List<String[]> history, String userText) {
      StringBuilder sb = new StringBuilder();
      String sys = systemText != null ? systemText : defaultSystem;
      if (system != null && sys != null) {
        sb.append(system.replace(CONTENT, sys));
      }
      for (String[] turn : history) {
        sb.append(user.replace(CONTENT, turn[0])).append(assistantPrefix).append(turn[1]);
        if (assistantSuffix != null) {
          sb.append(assistantSuffix);
        }
      }
      sb.append(user.replace(CONTENT, userText)).append(assistantPrefix);
      return sb.toString();
    }
  }

  public final String architecture;
  /** {@code llm.tokenizer.file}: the tokenizer.json every runtime loads (path-checked). */
  public final String tokenizerFile;
  /** {@code llm.tokenizer.add_bos}: prepend {@link #bosId}. */
  public final boolean addBos;
  /** {@code llm.bos_id}, or null. */
  public final Integer bosId;
  /** {@code llm.eos_ids}: generation stops at any of them. */
  public final List<Integer> eosIds;
  /** Prompt + generated tokens at most (the KV cache size). */
  public final int maxSeqLen;
  public final int vocabSize;
  public final PromptFormat promptFormat;
  /** The model's own Jinja template (hosts only), or null. */
  public final String chatTemplate;
  /** {@code llm.prompts}: prompts.json in the bundle (path-checked). */
  public final String prompts;

  LlmSpec(String architecture, String tokenizerFile, boolean addBos, Integer bosId, List<Integer> eosIds, int maxSeqLen,
      int vocabSize, PromptFormat promptFormat, String chatTemplate, String prompts) {
    this.architecture = architecture;
    this.tokenizerFile = tokenizerFile;
    this.addBos = addBos;
    this.bosId = bosId;
    this.eosIds = eosIds;
    this.maxSeqLen = maxSeqLen;
    this.vocabSize = vocabSize;
    this.promptFormat = promptFormat;
    this.chatTemplate = chatTemplate;
    this.prompts = prompts;
  }

  /**
   * Reads the {@code llm} object.
   *
   * @param o the manifest's llm block
   * @return the spec
   * @throws JSONException when a required field is missing
   * @throws IllegalArgumentException when a path leaves the bundle or the values make no sense
   */
  static LlmSpec fromJson(JSONObject o) throws JSONException {
    JSONObject tok = o.getJSONObject("tokenizer");
    List<Integer> eos = new ArrayList<>();
    JSONArray e = o.getJSONArray("eos_ids");
    for (int i = 0; i < e.length(); i++) {
      eos.add(e.getInt(i));
    }
    if (eos.isEmpty()) {
      throw new IllegalArgumentException("llm.eos_ids is empty: generation would never stop by itself");
    }
    int maxSeqLen = o.getInt("max_seq_len");
    if (maxSeqLen < 2) {
      throw new IllegalArgumentException("llm.max_seq_len must be >= 2, got " + maxSeqLen);
    }
    JSONObject pf = o.getJSONObject("prompt_format");
    return new LlmSpec(o.getString("architecture"),
        BundlePaths.check("llm.tokenizer.file", tok.getString("file"), true),
        tok.optBoolean("add_bos", false),
        o.isNull("bos_id") ? null : o.getInt("bos_id"),
        Collections.unmodifiableList(eos), maxSeqLen, o.getInt("vocab_size"),
        new PromptFormat(Manifest.optString(pf, "system"), Manifest.optString(pf, "default_system"),
            pf.getString("user"), pf.getString("assistant_prefix"), Manifest.optString(pf, "assistant_suffix")),
        Manifest.optString(o, "chat_template"),
        BundlePaths.check("llm.prompts", o.getString("prompts"), true));
  }

  /**
   * Whether a token id ends generation.
   *
   * @param token a generated token id
   * @return true for any of {@link #eosIds}
   */
  public boolean isEos(int token) {
    return eosIds.contains(token);
  }
}
