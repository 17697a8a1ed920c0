package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * A bundle's {@code manifest.json} (schemas/manifest.schema.json, {@code mobilekit.manifest/1}), read
 * with {@code org.json} so the same class runs on Android and on a desktop JVM.
 *
 * <p>Only what the app needs is kept: inputs (with their image preprocessing and role), outputs,
 * labels, artifacts, the sample (every input's file, the expected outputs, the sentence of a text model)
 * and the tokenizer. Unknown fields are ignored; a missing required field or a different
 * schema version is an {@link IllegalArgumentException} that names the field.
 */
public final class Manifest {
  /** The only manifest version this app reads. */
  public static final String SCHEMA = "mobilekit.manifest/1";

  /** One model input. */
  public static final class Input {
    public final String name;
    public final String dtype;
    public final long[] shape;
    /** NCHW, NHWC, NC or ANY. */
    public final String layout;
    /** Image preprocessing, or null when the input is not an image. */
    public final ImageSpec preprocess;
    /**
     * What feeds it: image, input_ids, attention_mask, token_type_ids, features or tokens; null when the
     * manifest does not say (older bundles: an image when {@link #preprocess} is set).
     */
    public final String role;

    Input(String name, String dtype, long[] shape, String layout, ImageSpec preprocess, String role) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.layout = layout;
      this.preprocess = preprocess;
      this.role = role;
    }

    /**
     * Whether the input takes integers (token ids, masks) rather than real numbers.
     *
     * @return true for int64, int32, int8, uint8 and bool
     */
    public boolean isInteger() {
      return InputTensor.isInteger(dtype);
    }

    /** Number of elements, with dynamic (-1) dimensions taken as 1. */
    public int numel() {
      return (int) Tensors.numel(Tensors.concrete(shape));
    }
  }

  /** The manifest's {@code image_preprocess}: what {@link Preprocess} does to a picture. */
  public static final class ImageSpec {
    /** L, RGB or BGR. */
    public final String color;
    /** [height, width] after resizing. */
    public final int[] resize;
    /** [height, width] centre crop after resizing, or null. */
    public final int[] crop;
    /** bilinear, nearest or bicubic. */
    public final String interpolation;
    public final double scale;
    public final double[] mean;
    public final double[] std;
    public final boolean invert;
    /**
     * Resize so the picture covers {@code resize} keeping its aspect ratio, then centre-crop to
     * {@code resize} (ImageNet-style "resize shorter side then crop").
     */
    public final boolean keepAspect;

    /** Builds a spec directly (tests, or an app that knows its model), without keep_aspect. */
    public ImageSpec(String color, int[] resize, int[] crop, String interpolation, double scale,
        double[] mean, double[] std, boolean invert) {
      this(color, resize, crop, interpolation, scale, mean, std, invert, false);
    }

    /**
     * Builds a spec directly.
     *
     * @param color L, RGB or BGR
     * @param resize [height, width]
     * @param crop [height, width] centre crop after resizing, or null
     * @param interpolation bilinear, nearest or bicubic
     * @param scale factor applied to 0..255 values
     * @param mean per-channel (or one) mean
     * @param std per-channel (or one) std
     * @param invert 255 - v before resizing
     * @param keepAspect cover {@code resize} keeping the aspect ratio, then centre-crop to it
     */
    public ImageSpec(String color, int[] resize, int[] crop, String interpolation, double scale,
        double[] mean, double[] std, boolean invert, boolean keepAspect) {
      if (!color.equals("L") && !color.equals("RGB") && !color.equals("BGR")) {
        throw new IllegalArgumentException("preprocess.color must be L, RGB or BGR, not " + color);
      }
      int channels = color.equals("L") ? 1 : 3;
      if ((mean.length != 1 && mean.length != channels) || (std.length != 1 && std.length != channels)) {
        throw new IllegalArgumentException("preprocess mean/std need 1 or " + channels + " values for " + color);
      }
      for (double s : std) {
        if (!(s > 0)) {
          throw new IllegalArgumentException("preprocess.std values must be positive");
        }
      }
      if (resize.length != 2 || (crop != null && crop.length != 2)) {
        throw new IllegalArgumentException("preprocess.resize and crop are [height, width]");
      }
      this.color = color;
      this.resize = resize;
      this.crop = crop;
      this.interpolation = interpolation;
      this.scale = scale;
      this.mean = mean;
      this.std = std;
      this.invert = invert;
      this.keepAspect = keepAspect;
    }

    /** Reads one {@code image_preprocess} object. */
    public static ImageSpec fromJson(JSONObject o) throws JSONException {
      JSONArray crop = o.isNull("crop") ? null : o.optJSONArray("crop");
      return new ImageSpec(
          o.getString("color"),
          ints(o.getJSONArray("resize")),
          crop == null ? null : ints(crop),
          o.isNull("interpolation") ? "bilinear" : o.optString("interpolation", "bilinear"),
          o.getDouble("scale"),
          doubles(o.getJSONArray("mean")),
          doubles(o.getJSONArray("std")),
          o.optBoolean("invert", false),
          o.optBoolean("keep_aspect", false));
    }

    /** 1 for L, 3 for RGB and BGR. */
    public int channels() {
      return color.equals("L") ? 1 : 3;
    }

    /** [height, width] of the tensor this spec produces (the crop if there is one). */
    public int[] outputHw() {
      return crop != null ? crop : resize;
    }
  }

  /** One model output. */
  public static final class Output {
    public final String name;
    public final String dtype;
    public final long[] shape;
    /** classification, embedding or none (postprocess absent or null counts as none). */
    public final String kind;
    public final boolean softmax;
    public final int topK;
    /** embedding: the model L2-normalises the vector itself. */
    public final boolean normalize;

    Output(String name, String dtype, long[] shape, String kind, boolean softmax, int topK, boolean normalize) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.kind = kind;
      this.softmax = softmax;
      this.topK = topK;
      this.normalize = normalize;
    }
  }

  /** One entry of {@code sample.inputs} / {@code sample.outputs}: a raw little-endian tensor file. */
  public static final class SampleFile {
    /** The model input or output it belongs to. */
    public final String name;
    /** The file, relative to the bundle. */
    public final String file;
    /** Its dtype (float32 for outputs). */
    public final String dtype;
    /** Its shape, or null when the manifest does not give one (outputs). */
    public final long[] shape;

    /**
     * @param name the input or output name
     * @param file the bundle-relative file
     * @param dtype the manifest dtype of the bytes
     * @param shape the shape, or null
     */
    public SampleFile(String name, String file, String dtype, long[] shape) {
      this.name = name;
      this.file = file;
      this.dtype = dtype;
      this.shape = shape;
    }
  }

  /**
   * The manifest's {@code tokenizer}: how the app turns a sentence into the model's integer inputs
   * (see {@link WordPieceTokenizer}).
   */
  public static final class TokenizerSpec {
    /** wordpiece (the only kind). */
    public final String kind;
    /** vocab.txt in the bundle: one token a line, id = line index. */
    public final String vocab;
    /** The Hugging Face tokenizer.json (hosts), or null. */
    public final String file;
    public final boolean lowercase;
    public final boolean stripAccents;
    /** Every encoding is truncated and padded to this many tokens. */
    public final int maxLength;
    public final String clsToken;
    public final String sepToken;
    public final String padToken;
    public final String unkToken;
    public final String continuingPrefix;
    public final int maxCharsPerWord;
    /** The model input that takes the token ids. */
    public final String inputIds;
    /** The model input that takes the attention mask, or null. */
    public final String attentionMask;
    /** The model input that takes the token type (segment) ids, or null. */
    public final String tokenTypeIds;

    /**
     * Builds a spec directly (tests, or an app that knows its model), with BERT's special tokens.
     *
     * @param vocab the vocabulary file in the bundle
     * @param lowercase lower-case the text
     * @param stripAccents NFD and drop non-spacing marks
     * @param maxLength tokens per encoding, >= 2
     * @param inputIds the model input for the ids
     * @param attentionMask the model input for the mask, or null
     * @param tokenTypeIds the model input for segment ids, or null
     */
    public TokenizerSpec(String vocab, boolean lowercase, boolean stripAccents, int maxLength, String inputIds,
        String attentionMask, String tokenTypeIds) {
      this("wordpiece", vocab, null, lowercase, stripAccents, maxLength, "[CLS]", "[SEP]", "[PAD]", "[UNK]", "##",
          100, inputIds, attentionMask, tokenTypeIds);
    }

    TokenizerSpec(String kind, String vocab, String file, boolean lowercase, boolean stripAccents, int maxLength,
        String clsToken, String sepToken, String padToken, String unkToken, String continuingPrefix,
        int maxCharsPerWord, String inputIds, String attentionMask, String tokenTypeIds) {
      if (!"wordpiece".equals(kind)) {
        throw new IllegalArgumentException("tokenizer.kind '" + kind + "' is not supported: this app has a wordpiece "
            + "tokenizer only");
      }
      if (maxLength < 2) {
        throw new IllegalArgumentException("tokenizer.max_length must be >= 2 ([CLS] and [SEP]), got " + maxLength);
      }
      this.kind = kind;
      this.vocab = vocab;
      this.file = file;
      this.lowercase = lowercase;
      this.stripAccents = stripAccents;
      this.maxLength = maxLength;
      this.clsToken = clsToken;
      this.sepToken = sepToken;
      this.padToken = padToken;
      this.unkToken = unkToken;
      this.continuingPrefix = continuingPrefix;
      this.maxCharsPerWord = maxCharsPerWord;
      this.inputIds = inputIds;
      this.attentionMask = attentionMask;
      this.tokenTypeIds = tokenTypeIds;
    }

    /** Reads one {@code tokenizer} object. */
    static TokenizerSpec fromJson(JSONObject o) throws JSONException {
      boolean lowercase = o.optBoolean("lowercase", true);
      JSONObject in = o.getJSONObject("inputs");
      String file = optString(o, "file");
      if (file != null) {
        BundlePaths.check("tokenizer.file", file);
      }
      return new TokenizerSpec(o.getString("kind"), BundlePaths.check("tokenizer.vocab", o.getString("vocab")), file,
          lowercase,
          o.isNull("strip_accents") ? lowercase : o.optBoolean("strip_accents", lowercase), o.getInt("max_length"),
          o.optString("cls_token", "[CLS]"), o.optString("sep_token", "[SEP]"), o.optString("pad_token", "[PAD]"),
          o.optString("unk_token", "[UNK]"), o.optString("continuing_prefix", "##"),
          o.optInt("max_chars_per_word", 100), in.getString("input_ids"), optString(in, "attention_mask"),
          optString(in, "token_type_ids"));
    }
  }

  /** One artifact of the bundle. */
  public static final class Artifact {
    /** A file name (or .mlpackage directory) in the bundle, never a path. */
    public final String file;
    /** executorch, onnxruntime, onnxruntime_genai (a model folder), coreml or pytorch_mobile. */
    public final String runtime;
    public final String backend;
    public final String precision;
    public final List<String> platforms;
    public final long bytes;
    public final String sha256;
    public final boolean legacy;
    /** {@code runtime_version}: the runtime release the exporter used (e.g. "1.5.1"), or null. */
    public final String runtimeVersion;
    /** {@code validation.status}: ok, skipped, failed or low_fidelity (null when absent). */
    public final String validationStatus;
    /** {@code validation.reason}: a plain-words sentence, or null. */
    public final String validationReason;
    /** {@code validation.top1_agreement} with FP32 on the host, or NaN. */
    public final double top1Agreement;
    /** {@code validation.sqnr_db} against FP32 on the host, or NaN. */
    public final double sqnrDb;
    /** {@code validation.host_latency_ms.p50}, or NaN. */
    public final double hostP50Ms;
    /** {@code extra_files}: companions such as the {@code .ort} conversion. */
    public final List<String> extraFiles;

    Artifact(String file, String runtime, String backend, String precision, List<String> platforms,
        long bytes, String sha256, boolean legacy) {
      this(file, runtime, backend, precision, platforms, bytes, sha256, legacy, null, null, null,
          Double.NaN, Double.NaN, Double.NaN, Collections.<String>emptyList());
    }

    Artifact(String file, String runtime, String backend, String precision, List<String> platforms,
        long bytes, String sha256, boolean legacy, String runtimeVersion, String validationStatus,
        String validationReason, double top1Agreement, double sqnrDb, double hostP50Ms,
        List<String> extraFiles) {
      this.file = file;
      this.runtime = runtime;
      this.backend = backend;
      this.precision = precision;
      this.platforms = platforms;
      this.bytes = bytes;
      this.sha256 = sha256;
      this.legacy = legacy;
      this.runtimeVersion = runtimeVersion;
      this.validationStatus = validationStatus;
      this.validationReason = validationReason;
      this.top1Agreement = top1Agreement;
      this.sqnrDb = sqnrDb;
      this.hostP50Ms = hostP50Ms;
      this.extraFiles = extraFiles;
    }

    /**
     * Whether host validation says this artifact is below its fidelity floor (the app warns first).
     *
     * @return true for {@code validation.status == "low_fidelity"}
     */
    public boolean lowFidelity() {
      return "low_fidelity".equals(validationStatus);
    }

    /**
     * The warning to show before loading a low-fidelity artifact.
     *
     * @return a sentence, or null when the artifact is not low-fidelity
     */
    public String fidelityWarning() {
      if (!lowFidelity()) {
        return null;
      }
      return file + " is marked low fidelity by host validation: "
          + (validationReason == null ? "its outputs differ from FP32 beyond the floor." : validationReason);
    }

    /**
     * The ORT-format companion ({@code .ort}) listed in {@code extra_files}, which ORT Mobile loads
     * faster and with less memory than the {@code .onnx}.
     *
     * @return its file name, or null
     */
    public String ortFile() {
      for (String f : extraFiles) {
        if (f.endsWith(".ort") && !f.contains("/") && !f.contains("\\")) {
          return f;
        }
      }
      return null;
    }
  }

  public final String name;
  public final List<Input> inputs;
  public final List<Output> outputs;
  public final List<Artifact> artifacts;
  /** The labels file name, or null. */
  public final String labels;
  /** {@code sample.input}: raw little-endian inputs[0], or null. */
  public final String sampleInput;
  /** {@code sample.expected_top1}, or null. */
  public final Integer expectedTop1;
  /**
   * The eager FP32 outputs[0] file: {@code sample.expected_output}, else {@code sample.outputs[0].file};
   * raw little-endian float32, or null.
   */
  public final String sampleOutput;
  /**
   * {@code sample.inputs}: every input's file in manifest input order; for bundles written before that
   * field, inputs[0] with {@code sample.input}. Empty without a sample.
   */
  public final List<SampleFile> sampleInputs;
  /** {@code sample.outputs}: eager FP32 outputs, float32 (empty when absent). */
  public final List<SampleFile> sampleOutputs;
  /** {@code sample.text}: the sentence the sample inputs were tokenized from, or null. */
  public final String sampleText;
  /** {@code sample.min_cosine}, or {@link #DEFAULT_MIN_COSINE}. */
  public final double minCosine;
  /** {@code tokenizer}, or null when the bundle ships none. */
  public final TokenizerSpec tokenizer;
  /** {@code llm}: a causal LM's tokenizer, chat template, stop tokens and prompts; null for other models. */
  public final LlmSpec llm;

  /** The output check's floor when {@code sample.min_cosine} is absent. */
  public static final double DEFAULT_MIN_COSINE = 0.98;

  private Manifest(String name, List<Input> inputs, List<Output> outputs, List<Artifact> artifacts,
      String labels, String sampleInput, Integer expectedTop1, String sampleOutput, List<SampleFile> sampleInputs,
      List<SampleFile> sampleOutputs, String sampleText, double minCosine, TokenizerSpec tokenizer, LlmSpec llm) {
    this.name = name;
    this.inputs = inputs;
    this.outputs = outputs;
    this.artifacts = artifacts;
    this.labels = labels;
    this.sampleInput = sampleInput;
    this.expectedTop1 = expectedTop1;
    this.sampleOutput = sampleOutput;
    this.sampleInputs = sampleInputs;
    this.sampleOutputs = sampleOutputs;
    this.sampleText = sampleText;
    this.minCosine = minCosine;
    this.tokenizer = tokenizer;
    this.llm = llm;
  }

  /**
   * Reads {@code manifest.json} from a bundle directory.
   *
   * @param bundleDir the directory that holds manifest.json and the artifacts
   * @return the parsed manifest
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when it is not a valid {@code mobilekit.manifest/1}
   */
  public static Manifest load(File bundleDir) throws IOException {
    File f = new File(bundleDir, "manifest.json");
    if (!f.isFile()) {
      throw new IOException("no manifest.json in " + bundleDir + " (is this a mobilekit bundle?)");
    }
    return parse(new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8));
  }

  /**
   * Parses manifest JSON text.
   *
   * @param json the text of manifest.json
   * @return the parsed manifest
   * @throws IllegalArgumentException when the text is not JSON, not version {@link #SCHEMA}, or
   *     lacks a required field (the message names it)
   */
  public static Manifest parse(String json) {
    try {
      JSONObject o = new JSONObject(json);
      String schema = o.optString("schema", "");
      if (!SCHEMA.equals(schema)) {
        throw new IllegalArgumentException(
            "manifest schema is '" + schema + "', this app reads " + SCHEMA + " (re-export the bundle with a matching mobilekit)");
      }
      List<Input> inputs = new ArrayList<>();
      JSONArray ins = o.getJSONArray("inputs");
      for (int i = 0; i < ins.length(); i++) {
        JSONObject in = ins.getJSONObject(i);
        JSONObject pre = in.isNull("preprocess") ? null : in.optJSONObject("preprocess");
        inputs.add(new Input(in.getString("name"), in.getString("dtype"), longs(in.getJSONArray("shape")),
            in.optString("layout", "ANY"), pre == null ? null : ImageSpec.fromJson(pre), optString(in, "role")));
      }
      if (inputs.isEmpty()) {
        throw new IllegalArgumentException("manifest has no inputs");
      }
      List<Output> outputs = new ArrayList<>();
      JSONArray outs = o.getJSONArray("outputs");
      for (int i = 0; i < outs.length(); i++) {
        JSONObject out = outs.getJSONObject(i);
        JSONObject post = out.isNull("postprocess") ? null : out.optJSONObject("postprocess");
        outputs.add(new Output(out.getString("name"), out.getString("dtype"), longs(out.getJSONArray("shape")),
            post == null ? "none" : post.getString("kind"),
            post != null && post.optBoolean("softmax", false),
            post == null ? 5 : post.optInt("top_k", 5),
            post != null && post.optBoolean("normalize", false)));
      }
      List<Artifact> artifacts = new ArrayList<>();
      JSONObject source = o.optJSONObject("source");
      JSONArray arts = o.getJSONArray("artifacts");
      for (int i = 0; i < arts.length(); i++) {
        JSONObject a = arts.getJSONObject(i);
        List<String> platforms = new ArrayList<>();
        JSONArray p = a.optJSONArray("platforms");
        for (int j = 0; p != null && j < p.length(); j++) {
          platforms.add(p.getString(j));
        }
        List<String> extra = new ArrayList<>();
        JSONArray ex = a.optJSONArray("extra_files");
        for (int j = 0; ex != null && j < ex.length(); j++) {
          extra.add(ex.getString(j));
        }
        JSONObject v = a.optJSONObject("validation");
        JSONObject hostLat = v == null ? null : v.optJSONObject("host_latency_ms");
        String field = "artifacts[" + i + "]";
        BundlePaths.check(field + ".file", a.getString("file"), true);
        for (int j = 0; j < extra.size(); j++) {
          BundlePaths.check(field + ".extra_files[" + j + "]", extra.get(j));
        }
        artifacts.add(new Artifact(a.getString("file"), a.getString("runtime"), a.getString("backend"),
            a.getString("precision"), Collections.unmodifiableList(platforms), a.getLong("bytes"),
            a.getString("sha256"), a.optBoolean("legacy", false),
            runtimeVersion(a, source),
            v == null || v.isNull("status") ? null : v.optString("status", null),
            v == null || v.isNull("reason") ? null : v.optString("reason", null),
            v == null ? Double.NaN : v.optDouble("top1_agreement", Double.NaN),
            v == null ? Double.NaN : v.optDouble("sqnr_db", Double.NaN),
            hostLat == null ? Double.NaN : hostLat.optDouble("p50", Double.NaN),
            Collections.unmodifiableList(extra)));
      }
      JSONObject sample = o.optJSONObject("sample");
      String sampleInput = null;
      Integer expected = null;
      String sampleOutput = null;
      List<SampleFile> sampleInputs = new ArrayList<>();
      List<SampleFile> sampleOutputs = new ArrayList<>();
      String sampleText = null;
      double minCosine = DEFAULT_MIN_COSINE;
      if (sample != null) {
        sampleInput = BundlePaths.check("sample.input", sample.getString("input"));
        expected = sample.isNull("expected_top1") ? null : sample.getInt("expected_top1");
        sampleOutput = optString(sample, "expected_output");
        if (sampleOutput != null) {
          BundlePaths.check("sample.expected_output", sampleOutput);
        }
        JSONArray si = sample.optJSONArray("inputs");
        for (int i = 0; si != null && i < si.length(); i++) {
          JSONObject e = si.getJSONObject(i);
          sampleInputs.add(new SampleFile(e.getString("name"),
              BundlePaths.check("sample.inputs[" + i + "].file", e.getString("file")), e.getString("dtype"),
              longs(e.getJSONArray("shape"))));
        }
        if (sampleInputs.isEmpty()) {
          Input first = inputs.get(0);
          sampleInputs.add(new SampleFile(first.name, sampleInput, first.dtype, first.shape));
        }
        JSONArray so = sample.optJSONArray("outputs");
        for (int i = 0; so != null && i < so.length(); i++) {
          JSONObject e = so.getJSONObject(i);
          JSONArray shape = e.optJSONArray("shape");
          sampleOutputs.add(new SampleFile(e.getString("name"),
              BundlePaths.check("sample.outputs[" + i + "].file", e.getString("file")), "float32",
              shape == null ? null : longs(shape)));
        }
        if (sampleOutput == null && !sampleOutputs.isEmpty()) {
          sampleOutput = sampleOutputs.get(0).file;
        }
        sampleText = optString(sample, "text");
        minCosine = sample.optDouble("min_cosine", DEFAULT_MIN_COSINE);
      }
      JSONObject tok = o.isNull("tokenizer") ? null : o.optJSONObject("tokenizer");
      String labels = o.isNull("labels") ? null : o.optString("labels", null);
      if (labels != null) {
        BundlePaths.check("labels", labels);
      }
      return new Manifest(o.getString("name"), Collections.unmodifiableList(inputs),
          Collections.unmodifiableList(outputs), Collections.unmodifiableList(artifacts),
          labels, sampleInput, expected, sampleOutput,
          Collections.unmodifiableList(sampleInputs), Collections.unmodifiableList(sampleOutputs), sampleText,
          minCosine, tok == null ? null : TokenizerSpec.fromJson(tok),
          o.isNull("llm") || o.optJSONObject("llm") == null ? null : LlmSpec.fromJson(o.getJSONObject("llm")));
    } catch (JSONException e) {
      throw new IllegalArgumentException("manifest.json is not a valid mobilekit manifest: " + e.getMessage(), e);
    }
  }

  /**
   * The artifact entry for a file name.
   *
   * @param file a file name as the manifest lists it (no path separators)
   * @return the artifact
   * @throws IllegalArgumentException when the manifest does not list it (the message lists those it does)
   */
  public Artifact artifact(String file) {
    for (Artifact a : artifacts) {
      if (a.file.equals(file)) {
        return a;
      }
    }
    List<String> names = new ArrayList<>();
    for (Artifact a : artifacts) {
      names.add(a.file);
    }
    throw new IllegalArgumentException("unknown artifact '" + file + "': the manifest lists " + names);
  }

  /**
   * An artifact's file (or folder) in the bundle, after the path check ({@link BundlePaths#resolve}).
   *
   * @param bundleDir the bundle directory
   * @param artifact one of {@link #artifacts}
   * @return the file inside the bundle
   * @throws IOException when the bundle directory cannot be resolved
   * @throws IllegalArgumentException when the path leads out of the bundle
   */
  public File artifactFile(File bundleDir, Artifact artifact) throws IOException {
    return BundlePaths.resolve(bundleDir, "artifacts[].file", artifact.file);
  }

  /**
   * The {@code sample.input} file (inputs[0]'s raw bytes), after the path check.
   *
   * @param bundleDir the bundle directory
   * @return the file inside the bundle
   * @throws IOException when the bundle has no sample input or its directory cannot be resolved
   */
  public File sampleInputFile(File bundleDir) throws IOException {
    if (sampleInput == null) {
      throw new IOException(name + " has no sample input");
    }
    return BundlePaths.resolve(bundleDir, "sample.input", sampleInput);
  }

  /**
   * Whether any model input takes integers (a text model's token ids and masks).
   *
   * @return true when at least one input is int64, int32, int8, uint8 or bool
   */
  public boolean hasIntegerInputs() {
    for (Input in : inputs) {
      if (in.isInteger()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every model input from the bundle's sample, in manifest input order and the model's dtypes: each
   * {@code sample.inputs} entry (matched by name, else by position) read with its dtype and shape. A
   * float32 input without sample data gets zeros; an integer input without it is an error that names it.
   *
   * @param bundleDir the bundle directory
   * @return one tensor per manifest input
   * @throws IOException when a sample file cannot be read or has the wrong size
   * @throws IllegalArgumentException when an integer input has no sample data
   */
  public List<InputTensor> readSampleInputs(File bundleDir) throws IOException {
    List<InputTensor> out = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      SampleFile s = sampleFor(in, i);
      if (s == null) {
        out.add(InputTensor.zeros(in));
        continue;
      }
      long[] shape = Tensors.concrete(s.shape == null ? in.shape : s.shape);
      out.add(InputTensor.readLE(BundlePaths.resolve(bundleDir, "sample.inputs[" + i + "].file", s.file), in.name,
          s.dtype, shape).as(in.dtype));
    }
    return out;
  }

  private SampleFile sampleFor(Input in, int index) {
    for (SampleFile s : sampleInputs) {
      if (s.name.equals(in.name)) {
        return s;
      }
    }
    if (index < sampleInputs.size()) {
      boolean named = false;
      for (Input other : inputs) {
        named |= other.name.equals(sampleInputs.get(index).name);
      }
      return named ? null : sampleInputs.get(index);
    }
    return null;
  }

  /**
   * The eager FP32 outputs[0] of the sample, as the check compares it.
   *
   * @param bundleDir the bundle directory
   * @return the values, or null when the bundle has no expected output
   * @throws IOException when the file cannot be read
   */
  public float[] readExpectedOutput(File bundleDir) throws IOException {
    return sampleOutput == null ? null
        : Tensors.readFloatsLE(BundlePaths.resolve(bundleDir, "sample.expected_output", sampleOutput), -1);
  }

  /**
   * The labels of the bundle, one a line, or an empty list when it has none.
   *
   * @param bundleDir the bundle directory
   * @return the labels in class-index order
   * @throws IOException when the labels file is named but cannot be read
   */
  public List<String> readLabels(File bundleDir) throws IOException {
    if (labels == null) {
      return Collections.emptyList();
    }
    List<String> out = new ArrayList<>();
    File f = BundlePaths.resolve(bundleDir, "labels", labels);
    for (String line : Files.readAllLines(f.toPath(), StandardCharsets.UTF_8)) {
      out.add(line.trim());
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /**
   * {@code artifact.runtime_version}, or for bundles written before that field, the exporter's version
   * from {@code source} ({@code source.executorch} for ExecuTorch, {@code source.onnxruntime} for ORT).
   */
  private static String runtimeVersion(JSONObject artifact, JSONObject source) {
    if (!artifact.isNull("runtime_version") && artifact.has("runtime_version")) {
      return artifact.optString("runtime_version", null);
    }
    String runtime = artifact.optString("runtime", "");
    if (source != null && (runtime.equals("executorch") || runtime.equals("onnxruntime"))
        && !source.isNull(runtime) && source.has(runtime)) {
      return source.optString(runtime, null);
    }
    return null;
  }

  /** A string member, null when absent or JSON null. */
  static String optString(JSONObject o, String key) {
    return o.isNull(key) ? null : o.optString(key, null);
  }

  static int[] ints(JSONArray a) throws JSONException {
    int[] out = new int[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getInt(i);
    }
    return out;
  }

  static long[] longs(JSONArray a) throws JSONException {
    long[] out = new long[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getLong(i);
    }
    return out;
  }

  static double[] doubles(JSONArray a) throws JSONException {
    double[] out = new double[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getDouble(i);
    }
    return out;
  }
}
