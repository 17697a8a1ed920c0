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
 * <p>Only what the app needs is kept: inputs (with their image preprocessing), outputs, labels,
 * artifacts and the sample. Unknown fields are ignored; a missing required field or a different
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

    Input(String name, String dtype, long[] shape, String layout, ImageSpec preprocess) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.layout = layout;
      this.preprocess = preprocess;
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
    /** classification or none (postprocess absent or null counts as none). */
    public final String kind;
    public final boolean softmax;
    public final int topK;

    Output(String name, String dtype, long[] shape, String kind, boolean softmax, int topK) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.kind = kind;
      this.softmax = softmax;
      this.topK = topK;
    }
  }

  /** One artifact of the bundle. */
  public static final class Artifact {
    /** A file name (or .mlpackage directory) in the bundle, never a path. */
    public final String file;
    /** executorch, onnxruntime, coreml or pytorch_mobile. */
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
  /** {@code sample.expected_output}: raw little-endian float32 outputs[0], or null. */
  public final String sampleOutput;

  private Manifest(String name, List<Input> inputs, List<Output> outputs, List<Artifact> artifacts,
      String labels, String sampleInput, Integer expectedTop1, String sampleOutput) {
    this.name = name;
    this.inputs = inputs;
    this.outputs = outputs;
    this.artifacts = artifacts;
    this.labels = labels;
    this.sampleInput = sampleInput;
    this.expectedTop1 = expectedTop1;
    this.sampleOutput = sampleOutput;
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
            in.optString("layout", "ANY"), pre == null ? null : ImageSpec.fromJson(pre)));
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
            post == null ? 5 : post.optInt("top_k", 5)));
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
      if (sample != null) {
        sampleInput = sample.getString("input");
        expected = sample.isNull("expected_top1") ? null : sample.getInt("expected_top1");
        sampleOutput = sample.isNull("expected_output") ? null : sample.optString("expected_output", null);
      }
      return new Manifest(o.getString("name"), Collections.unmodifiableList(inputs),
          Collections.unmodifiableList(outputs), Collections.unmodifiableList(artifacts),
          o.isNull("labels") ? null : o.optString("labels", null), sampleInput, expected, sampleOutput);
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
    for (String line : Files.readAllLines(new File(bundleDir, labels).toPath(), StandardCharsets.UTF_8)) {
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
