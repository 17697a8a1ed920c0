package org.mobilekit.demo;

import android.app.Activity;
import android.app.AlertDialog;
import android.content.ContentValues;
import android.content.Intent;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.graphics.Matrix;
import android.graphics.Typeface;
import android.media.ExifInterface;
import android.net.Uri;
import android.os.Build;
import android.os.Bundle;
import android.provider.MediaStore;
import android.view.View;
import android.widget.AdapterView;
import android.widget.ArrayAdapter;
import android.widget.Button;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.ScrollView;
import android.widget.Spinner;
import android.widget.TextView;
import java.io.File;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.mobilekit.demo.core.Benchmark;
import org.mobilekit.demo.core.Classify;
import org.mobilekit.demo.core.InputTensor;
import org.mobilekit.demo.core.Manifest;
import org.mobilekit.demo.core.OutputCheck;
import org.mobilekit.demo.core.Preprocess;
import org.mobilekit.demo.core.Runner;
import org.mobilekit.demo.core.Runners;
import org.mobilekit.demo.core.Stats;
import org.mobilekit.demo.core.Tensors;
import org.mobilekit.demo.core.TextModel;

/**
 * The demo screen. Works with no {@code adb push}: the bundles built into the APK (digits, and the
 * ImageNet classifier when it was exported before the build) are installed on first start; pushed
 * bundles under {@code <external-files>/bundles/} appear too.
 *
 * <p>Pick a bundle, filter by runtime and precision, choose the artifact, the threads, ONNX Runtime's
 * execution provider and the number of runs; then draw a digit, take a photo (camera), pick one (the
 * system photo picker), or run the bundle's own sample input, and see the top-k labels with the median
 * and p90 latency over the runs. "Compare all" runs every artifact of the bundle on the same picture
 * side by side (size, latency, top-1, agreement with FP32, the host's fidelity figures). Photos are
 * turned upright from their EXIF orientation. A low-fidelity artifact asks before it loads. Loading and
 * inference run on one background thread; the UI thread only draws.
 *
 * <p>Text bundles (a {@code tokenizer} in the manifest, e.g. a sentence embedder taking input_ids and
 * attention_mask) get a text field instead of the drawing: each sentence is tokenized on the phone
 * ({@link TextModel}), run, and shown as the embedding's size, norm and first values with its cosine
 * similarity to the previous sentence. A model with integer inputs but no tokenizer says that the bundle
 * needs one (export with --tokenizer); its sample still runs.
 */
public final class MainActivity extends Activity {
  private static final int PICK_IMAGE = 1;
  private static final int TAKE_PHOTO = 2;
  static final String[] RUNTIMES = {"all runtimes", "executorch", "onnxruntime"};
  static final String[] PRECISIONS = {"all precisions", "fp32", "fp16", "int8"};
  static final String[] THREADS = {"threads: auto", "1", "2", "4", "8"};
  static final String[] PROVIDERS = {"ORT: XNNPACK", "ORT: CPU"};
  static final String[] RUNS = {"runs: 20", "1", "5", "50", "100"};

  private final ExecutorService worker = Executors.newSingleThreadExecutor();
  private final List<File> bundles = new ArrayList<>();
  private final List<Manifest.Artifact> shown = new ArrayList<>();
  private Spinner bundleSpinner;
  private Spinner runtimeSpinner;
  private Spinner precisionSpinner;
  private Spinner artifactSpinner;
  private Spinner threadSpinner;
  private Spinner providerSpinner;
  private Spinner runsSpinner;
  private DrawView drawing;
  private LinearLayout pictureRow;
  private LinearLayout textRow;
  private EditText sentence;
  private TextView output;
  private Uri photoUri;

  // Owned by the worker thread only.
  private Runner runner;
  private String runnerKey;
  private volatile Manifest manifest;
  private volatile File bundleDir;
  // Owned by the worker thread only: the open text bundle's tokenizer and the previous sentence.
  private TextModel textModel;
  private File textModelDir;
  private float[] previousEmbedding;
  private String previousSentence;

  private static final String STATE_PHOTO_URI = "photo_uri";

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    if (savedInstanceState != null) {
      // The camera app often runs while this activity is destroyed: the capture's target survives here.
      photoUri = savedInstanceState.getParcelable(STATE_PHOTO_URI);
    }
    LinearLayout root = new LinearLayout(this);
    root.setOrientation(LinearLayout.VERTICAL);
    bundleSpinner = spinner("bundle", new String[0]);
    runtimeSpinner = spinner("runtime", RUNTIMES);
    precisionSpinner = spinner("precision", PRECISIONS);
    artifactSpinner = spinner("artifact", new String[0]);
    threadSpinner = spinner("threads", THREADS);
    providerSpinner = spinner("provider", PROVIDERS);
    runsSpinner = spinner("runs", RUNS);
    drawing = new DrawView(this);
    sentence = new EditText(this);
    sentence.setTag("text");
    sentence.setHint("Type a sentence");
    sentence.setSingleLine(true);
    sentence.setOnEditorActionListener((v, actionId, event) -> {
      embedSentence();
      return true;
    });
    output = new TextView(this);
    output.setTag("output");
    output.setTypeface(Typeface.MONOSPACE);
    root.addView(bundleSpinner);
    root.addView(row(runtimeSpinner, precisionSpinner));
    root.addView(artifactSpinner);
    root.addView(row(threadSpinner, providerSpinner, runsSpinner));
    textRow = new LinearLayout(this);
    textRow.setOrientation(LinearLayout.VERTICAL);
    textRow.addView(sentence);
    textRow.addView(row(button("Embed", "embed", v -> embedSentence())));
    textRow.setVisibility(View.GONE);
    root.addView(textRow);
    pictureRow = new LinearLayout(this);
    pictureRow.setOrientation(LinearLayout.VERTICAL);
    pictureRow.addView(drawing);
    pictureRow.addView(row(button("Classify", "classify", v -> classifyPicture(drawing.snapshot())),
        button("Clear", "clear", v -> drawing.clear())));
    pictureRow.addView(row(button("Camera", "camera", v -> takePhoto()),
        button("Photo\u2026", "pick", v -> pickPhoto()),
        button("Live", "live", v -> openLiveCamera())));
    root.addView(pictureRow);
    root.addView(row(button("Sample", "sample", v -> classifySample()),
        button("Compare all", "compare", v -> compareAll()),
        button("Chat", "chat", v -> startActivity(new Intent(this, ChatActivity.class)))));
    root.addView(output);
    ScrollView scroll = new ScrollView(this);
    scroll.setTag("scroll");
    scroll.addView(root);
    // targetSdk 35 draws edge to edge: keep the controls clear of the status, navigation and IME bars.
    EdgeToEdge.padForSystemBars(scroll, 24);
    setContentView(scroll);

    AdapterView.OnItemSelectedListener refilter = new Selected(() -> refreshArtifacts());
    runtimeSpinner.setOnItemSelectedListener(refilter);
    precisionSpinner.setOnItemSelectedListener(refilter);
    bundleSpinner.setOnItemSelectedListener(new Selected(() -> openBundle(bundles.get(bundleSpinner.getSelectedItemPosition()))));
    output.setText("Loading the demo bundles\u2026");
    worker.execute(() -> {
      List<File> found = DemoBundles.all(this);
      runOnUiThread(() -> {
        bundles.clear();
        bundles.addAll(found);
        List<String> names = new ArrayList<>();
        for (File d : bundles) {
          names.add(d.getName());
        }
        bundleSpinner.setAdapter(adapter(names.toArray(new String[0])));
        if (bundles.isEmpty()) {
          output.setText("No bundle in this build. Export one (mobilekit export digits) and rebuild, or push one "
              + "into " + new File(getExternalFilesDir(null), "bundles"));
        } else {
          openBundle(bundles.get(0));
        }
      });
    });
  }

  private Spinner spinner(String tag, String[] items) {
    Spinner s = new Spinner(this);
    s.setTag(tag);
    s.setAdapter(adapter(items));
    return s;
  }

  private ArrayAdapter<String> adapter(String[] items) {
    return new ArrayAdapter<>(this, android.R.layout.simple_spinner_dropdown_item, items);
  }

  private Button button(String text, String tag, View.OnClickListener l) {
    Button b = new Button(this);
    b.setText(text);
    b.setTag(tag);
    b.setOnClickListener(l);
    return b;
  }

  private LinearLayout row(View... views) {
    LinearLayout r = new LinearLayout(this);
    for (View v : views) {
      r.addView(v, new LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f));
    }
    return r;
  }

  /** An item listener that ignores "nothing selected". */
  private static final class Selected implements AdapterView.OnItemSelectedListener {
    private final Runnable action;

    Selected(Runnable action) {
      this.action = action;
    }

    @Override
    public void onItemSelected(AdapterView<?> parent, View view, int position, long id) {
      action.run();
    }

    @Override
    public void onNothingSelected(AdapterView<?> parent) {}
  }

  private void openBundle(File dir) {
    worker.execute(() -> {
      try {
        Manifest m = Manifest.load(dir);
        manifest = m;
        bundleDir = dir;
        boolean text = m.tokenizer != null;
        String missing = TextModel.missingTokenizer(m);
        runOnUiThread(() -> {
          refreshArtifacts();
          textRow.setVisibility(text ? View.VISIBLE : View.GONE);
          pictureRow.setVisibility(text || missing != null ? View.GONE : View.VISIBLE);
          if (text && m.sampleText != null && sentence.getText().length() == 0) {
            sentence.setText(m.sampleText);
          }
          output.setText(m.name + ": " + shown.size() + " artifacts for Android. "
              + (text ? "Type a sentence and tap Embed, or run the bundle's sample."
                  : missing != null ? missing : "Draw, take or pick a photo, or run the bundle's sample."));
        });
      } catch (Exception e) {
        show("Cannot read " + dir + ": " + e.getMessage());
      }
    });
  }

  /** UI thread: the artifact list for the runtime and precision filters. */
  private void refreshArtifacts() {
    Manifest m = manifest;
    shown.clear();
    List<String> names = new ArrayList<>();
    if (m != null) {
      String rt = runtimeSpinner.getSelectedItemPosition() <= 0 ? null : RUNTIMES[runtimeSpinner.getSelectedItemPosition()];
      String pr = precisionSpinner.getSelectedItemPosition() <= 0 ? null
          : PRECISIONS[precisionSpinner.getSelectedItemPosition()];
      for (Manifest.Artifact a : m.artifacts) {
        boolean runs = a.platforms.contains("android") && (a.runtime.equals("executorch") || a.runtime.equals("onnxruntime"));
        if (runs && (rt == null || rt.equals(a.runtime)) && (pr == null || pr.equals(a.precision))) {
          shown.add(a);
          names.add(a.file + (a.lowFidelity() ? "  (low fidelity)" : ""));
        }
      }
    }
    artifactSpinner.setAdapter(adapter(names.toArray(new String[0])));
  }

  private int threads() {
    int i = threadSpinner.getSelectedItemPosition();
    int cores = Runtime.getRuntime().availableProcessors();
    return i <= 0 ? Benchmark.defaultThreads(cores) : Integer.parseInt(THREADS[i]);
  }

  private int runs() {
    int i = runsSpinner.getSelectedItemPosition();
    return i <= 0 ? 20 : Integer.parseInt(RUNS[i]);
  }

  private Manifest.Artifact selected() {
    int i = artifactSpinner.getSelectedItemPosition();
    return i < 0 || i >= shown.size() ? null : shown.get(i);
  }

  // ---- inputs ----------------------------------------------------------------------------------
  private void pickPhoto() {
    Intent pick = Build.VERSION.SDK_INT >= 33
        ? new Intent(MediaStore.ACTION_PICK_IMAGES).setType("image/*")   // the system photo picker
        : new Intent(Intent.ACTION_GET_CONTENT).setType("image/*");
    startActivityForResult(pick, PICK_IMAGE);
  }

  @Override
  protected void onSaveInstanceState(Bundle out) {
    super.onSaveInstanceState(out);
    if (photoUri != null) {
      out.putParcelable(STATE_PHOTO_URI, photoUri);
    }
  }

  /** The live camera screen on the open bundle and the selected artifact. */
  private void openLiveCamera() {
    File dir = bundleDir;
    if (dir == null) {
      show("Pick a bundle first.");
      return;
    }
    Intent live = new Intent(this, CameraActivity.class).putExtra(CameraActivity.EXTRA_BUNDLE, dir.getAbsolutePath());
    Manifest.Artifact a = selected();
    if (a != null) {
      live.putExtra(CameraActivity.EXTRA_ARTIFACT, a.file);
    }
    startActivity(live);
  }

  private void takePhoto() {
    Intent capture = new Intent(MediaStore.ACTION_IMAGE_CAPTURE);
    discardPendingPhoto();
    if (Build.VERSION.SDK_INT >= 29) {
      // A full-size photo into the app's own MediaStore entry (no storage permission on API 29+).
      ContentValues v = new ContentValues();
      v.put(MediaStore.Images.Media.DISPLAY_NAME, "mobilekit-" + System.currentTimeMillis() + ".jpg");
      v.put(MediaStore.Images.Media.MIME_TYPE, "image/jpeg");
      photoUri = getContentResolver().insert(MediaStore.Images.Media.EXTERNAL_CONTENT_URI, v);
      if (photoUri != null) {
        capture.putExtra(MediaStore.EXTRA_OUTPUT, photoUri);
      }
    }
    try {
      startActivityForResult(capture, TAKE_PHOTO);
    } catch (android.content.ActivityNotFoundException e) {
      discardPendingPhoto();
      show("No camera app on this device.");
    }
  }

  /** Deletes the MediaStore entry made for a capture that produced no photo (cancelled, failed). */
  private void discardPendingPhoto() {
    Uri pending = photoUri;
    photoUri = null;
    if (pending != null) {
      try {
        getContentResolver().delete(pending, null, null);
      } catch (RuntimeException e) {
        // the entry is gone or not ours any more; nothing is left to clean up
      }
    }
  }

  @Override
  protected void onActivityResult(int requestCode, int resultCode, Intent data) {
    super.onActivityResult(requestCode, resultCode, data);
    if (resultCode != RESULT_OK) {
      if (requestCode == TAKE_PHOTO) {
        discardPendingPhoto(); // a cancelled capture leaves no empty entry in the gallery
      }
      return;
    }
    if (requestCode == TAKE_PHOTO && photoUri == null && data != null && data.getExtras() != null) {
      Object thumb = data.getExtras().get("data"); // API 26-28: the camera's thumbnail
      if (thumb instanceof Bitmap) {
        drawing.show((Bitmap) thumb);
        classifyPicture((Bitmap) thumb);
      }
      return;
    }
    Uri uri = requestCode == TAKE_PHOTO ? photoUri : (data == null ? null : data.getData());
    if (requestCode == TAKE_PHOTO) {
      photoUri = null; // the entry now holds the user's photo: keep it, but it is no longer pending
    }
    if (uri == null) {
      return;
    }
    int[] minSide = modelSide();
    worker.execute(() -> {
      try {
        Bitmap b = decodeUpright(uri, minSide[0]);
        runOnUiThread(() -> {
          drawing.show(b);
          classifyPicture(b);
        });
      } catch (Throwable t) { // OutOfMemoryError included: the screen says so instead of dying
        show("Cannot open that picture: " + t);
      }
    });
  }

  /** The open bundle's largest preprocess side (what a decoded photo must keep), 512 when unknown. */
  private int[] modelSide() {
    Manifest m = manifest;
    int side = 512;
    if (m != null && m.inputs.get(0).preprocess != null) {
      int[] r = m.inputs.get(0).preprocess.resize;
      side = Math.max(r[0], r[1]);
    }
    return new int[] {side};
  }

  /**
   * Decodes a picture at a reduced size and turns it upright from its EXIF orientation (portrait photos
   * come rotated). A 50-megapixel photo is not decoded whole: {@code inSampleSize} (a power of two, from
   * the bounds read first) keeps the shorter side at least twice the model's input and the longer side
   * at most {@link Preprocess#MAX_DECODE_SIDE}. Worker thread only.
   *
   * @param uri the picture
   * @param modelSide the model's largest preprocess side
   */
  private Bitmap decodeUpright(Uri uri, int modelSide) throws Exception {
    BitmapFactory.Options bounds = new BitmapFactory.Options();
    bounds.inJustDecodeBounds = true;
    try (InputStream in = getContentResolver().openInputStream(uri)) {
      BitmapFactory.decodeStream(in, null, bounds);
    }
    BitmapFactory.Options opts = new BitmapFactory.Options();
    opts.inPreferredConfig = Bitmap.Config.ARGB_8888;
    opts.inSampleSize = Preprocess.sampleSize(bounds.outWidth, bounds.outHeight, 2 * modelSide,
        Preprocess.MAX_DECODE_SIDE);
    Bitmap b;
    try (InputStream in = getContentResolver().openInputStream(uri)) {
      b = BitmapFactory.decodeStream(in, null, opts);
    }
    if (b == null) {
      throw new IllegalArgumentException("not a picture this phone can decode");
    }
    int orientation;
    try (InputStream in = getContentResolver().openInputStream(uri)) {
      orientation = in == null ? ExifInterface.ORIENTATION_NORMAL
          : new ExifInterface(in).getAttributeInt(ExifInterface.TAG_ORIENTATION, ExifInterface.ORIENTATION_NORMAL);
    }
    return upright(b, orientation);
  }

  /**
   * Applies an EXIF orientation (1-8) to a bitmap.
   *
   * @param b the decoded pixels
   * @param orientation {@code ExifInterface.TAG_ORIENTATION}
   * @return the upright bitmap (the same one for ORIENTATION_NORMAL)
   */
  static Bitmap upright(Bitmap b, int orientation) {
    Matrix m = new Matrix();
    switch (orientation) {
      case ExifInterface.ORIENTATION_FLIP_HORIZONTAL: m.setScale(-1, 1); break;
      case ExifInterface.ORIENTATION_ROTATE_180: m.setRotate(180); break;
      case ExifInterface.ORIENTATION_FLIP_VERTICAL: m.setRotate(180); m.postScale(-1, 1); break;
      case ExifInterface.ORIENTATION_TRANSPOSE: m.setRotate(90); m.postScale(-1, 1); break;
      case ExifInterface.ORIENTATION_ROTATE_90: m.setRotate(90); break;
      case ExifInterface.ORIENTATION_TRANSVERSE: m.setRotate(-90); m.postScale(-1, 1); break;
      case ExifInterface.ORIENTATION_ROTATE_270: m.setRotate(-90); break;
      default: return b;
    }
    return Bitmap.createBitmap(b, 0, 0, b.getWidth(), b.getHeight(), m, true);
  }

  // ---- running ---------------------------------------------------------------------------------
  private void classifyPicture(Bitmap picture) {
    withArtifact(a -> runOne(a, m -> {
      // Worker thread: the pixels are read here, not on the UI thread.
      int w = picture.getWidth();
      int h = picture.getHeight();
      int[] pixels = new int[w * h];
      picture.getPixels(pixels, 0, w, 0, 0, w, h);
      Manifest.Input input = m.inputs.get(0);
      if (input.preprocess == null) {
        throw new IllegalArgumentException("inputs[0] of " + m.name + " is not an image.");
      }
      Preprocess pre = new Preprocess(input.preprocess);
      return pre.toLayout(pre.apply(pixels, w, h), input.layout);
    }, "your picture"));
  }

  private void classifySample() {
    Manifest current = manifest;
    if (current != null && (current.inputs.size() > 1 || current.hasIntegerInputs())) {
      withArtifact(a -> runInputs(a, m -> m.readSampleInputs(bundleDir), "the bundle's sample", null));
      return;
    }
    withArtifact(a -> runOne(a, m -> {
      if (m.sampleInput == null) {
        throw new IllegalArgumentException(m.name + " has no sample input");
      }
      return Tensors.readFloatsLE(m.sampleInputFile(bundleDir), m.inputs.get(0).numel());
    }, "the bundle's sample"));
  }

  private interface InputMaker {
    float[] make(Manifest m) throws Exception;
  }

  private interface InputsMaker {
    List<InputTensor> make(Manifest m) throws Exception;
  }

  /** UI thread: the typed sentence through the bundle's tokenizer and the selected artifact. */
  private void embedSentence() {
    String text = sentence.getText().toString();
    if (text.trim().isEmpty()) {
      show("Type a sentence first.");
      return;
    }
    withArtifact(a -> runInputs(a, m -> textModel(m).inputs(text), "\"" + text + "\"", text));
  }

  /** Worker thread: the open bundle's tokenizer, loaded once per bundle. */
  private TextModel textModel(Manifest m) throws Exception {
    File dir = bundleDir;
    if (textModel == null || !dir.equals(textModelDir)) {
      textModel = TextModel.load(dir, m);
      textModelDir = dir;
      previousEmbedding = null;
      previousSentence = null;
    }
    return textModel;
  }

  /** Worker thread: the runner for an artifact, reused while the artifact and settings stay the same. */
  private Runner runnerFor(Manifest m, File dir, Manifest.Artifact a, int threads, boolean xnnpack) throws Exception {
    String key = dir + "/" + a.file + "/" + threads + "/" + xnnpack;
    if (!key.equals(runnerKey)) {
      if (runner != null) {
        runner.close();
        runner = null;
      }
      runner = Runners.open(dir, m, a, threads, Collections.<String, String>emptyMap(), xnnpack);
      runnerKey = key;
    }
    return runner;
  }

  /**
   * Runs every model input (a text model's ids and mask) {@code runs} times and shows outputs[0]: for an
   * embedding its norm, first values and cosine with the previous sentence; for the bundle's sample, the
   * cosine with the host's FP32 output.
   *
   * @param text the sentence (remembered for the next cosine), or null for the bundle's sample
   */
  private void runInputs(Manifest.Artifact a, InputsMaker maker, String what, String text) {
    int threads = threads();
    int runs = runs();
    boolean xnnpack = providerSpinner.getSelectedItemPosition() <= 0;
    show("Running " + a.file + " on " + what + " (" + runs + " runs)\u2026");
    worker.execute(() -> {
      try {
        Manifest m = manifest;
        File dir = bundleDir;
        Runner runner = runnerFor(m, dir, a, threads, xnnpack);
        List<InputTensor> inputs = maker.make(m);
        float[] y = runner.run(inputs);
        double[] lat = new double[runs];
        for (int i = 0; i < runs; i++) {
          long t0 = System.nanoTime();
          y = runner.run(inputs);
          lat[i] = (System.nanoTime() - t0) / 1e6;
        }
        Stats st = Stats.of(lat);
        StringBuilder sb = new StringBuilder();
        if (a.fidelityWarning() != null) {
          sb.append("\u26a0 ").append(a.fidelityWarning()).append("\n");
        }
        sb.append(what).append("\n");
        if (text != null) {
          sb.append(TextModel.describe(y, previousEmbedding, previousSentence));
          previousEmbedding = y;
          previousSentence = text;
        } else {
          sb.append(TextModel.describe(y, null, null));
          OutputCheck check = OutputCheck.of(m, y, m.readExpectedOutput(dir));
          if (check.cosine != null) {
            sb.append(String.format(Locale.US, "cosine with the host's FP32 output: %.6f (%s)%n", check.cosine,
                Boolean.TRUE.equals(check.ok) ? "ok" : "below " + check.minCosine));
          }
        }
        sb.append(String.format(Locale.US, "median %.2f ms, p90 %.2f ms over %d runs%n%s", st.p50, st.p90, runs,
            runner.describe()));
        show(sb.toString());
      } catch (Throwable t) {
        show("Failed: " + t);
      }
    });
  }

  private interface ArtifactAction {
    void run(Manifest.Artifact a);
  }

  /** UI thread: the selected artifact, after the low-fidelity question where the manifest asks for it. */
  private void withArtifact(ArtifactAction action) {
    Manifest.Artifact a = selected();
    if (a == null) {
      show("Pick a bundle and an artifact first.");
      return;
    }
    if (a.lowFidelity()) {
      new AlertDialog.Builder(this)
          .setTitle("Low-fidelity artifact")
          .setMessage(a.fidelityWarning() + "\n\nLoad it anyway?")
          .setPositiveButton("Load", (d, w) -> action.run(a))
          .setNegativeButton("Cancel", null)
          .show();
    } else {
      action.run(a);
    }
  }

  private void runOne(Manifest.Artifact a, InputMaker inputs, String what) {
    int threads = threads();
    int runs = runs();
    boolean xnnpack = providerSpinner.getSelectedItemPosition() <= 0;
    show("Running " + a.file + " on " + what + " (" + runs + " runs)\u2026");
    worker.execute(() -> {
      try {
        Manifest m = manifest;
        File dir = bundleDir;
        Classify.Outcome o = Classify.run(runnerFor(m, dir, a, threads, xnnpack), m, a, inputs.make(m), runs);
        List<String> labels = m.readLabels(dir);
        StringBuilder sb = new StringBuilder();
        if (o.warning != null) {
          sb.append("\u26a0 ").append(o.warning).append("\n");
        }
        for (int i : o.topK) {
          sb.append(String.format(Locale.US, "%-24s %.3f%n", Classify.label(labels, i), o.scores[i]));
        }
        sb.append(String.format(Locale.US, "median %.2f ms, p90 %.2f ms over %d runs%n%s", o.latency.p50,
            o.latency.p90, runs, o.ranWith));
        show(sb.toString());
      } catch (Throwable t) {
        show("Failed: " + t);
      }
    });
  }

  private void compareAll() {
    Bitmap picture = drawing.snapshot();
    int threads = threads();
    int runs = runs();
    show("Comparing every artifact (" + runs + " runs each)\u2026");
    worker.execute(() -> {
      try {
        if (runner != null) {
          runner.close();
          runner = null;
          runnerKey = null;
        }
        Manifest m = manifest;
        File dir = bundleDir;
        int w = picture.getWidth();
        int h = picture.getHeight();
        int[] pixels = new int[w * h];
        picture.getPixels(pixels, 0, w, 0, 0, w, h);
        if (m.inputs.size() > 1 || m.hasIntegerInputs()) {
          List<Classify.Outcome> rows = Classify.compareAll(dir, m, m.readSampleInputs(dir), threads, runs,
              Collections.<String, String>emptyMap());
          show("On the bundle's sample input:\n" + Classify.table(rows, m, m.readLabels(dir)));
          return;
        }
        Manifest.Input input = m.inputs.get(0);
        float[] x = input.preprocess == null || m.sampleInput != null && isBlank(pixels)
            ? Tensors.readFloatsLE(m.sampleInputFile(dir), input.numel())
            : new Preprocess(input.preprocess).toLayout(new Preprocess(input.preprocess).apply(pixels, w, h), input.layout);
        List<Classify.Outcome> rows = Classify.compareAll(dir, m, x, threads, runs,
            Collections.<String, String>emptyMap());
        show((isBlank(pixels) ? "On the bundle's sample input:\n" : "On your picture:\n")
            + Classify.table(rows, m, m.readLabels(dir)));
      } catch (Throwable t) {
        show("Failed: " + t);
      }
    });
  }

  private static boolean isBlank(int[] pixels) {
    for (int p : pixels) {
      if (p != pixels[0]) {
        return false;
      }
    }
    return true;
  }

  private void show(String text) {
    runOnUiThread(() -> output.setText(text));
  }

  @Override
  protected void onDestroy() {
    super.onDestroy();
    worker.execute(() -> {
      if (runner != null) {
        runner.close();
        runner = null;
      }
    });
    worker.shutdown();
  }
}
