package org.mobilekit.demo;

import android.app.Activity;
import android.content.Intent;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.net.Uri;
import android.os.Bundle;
import android.view.View;
import android.widget.AdapterView;
import android.widget.ArrayAdapter;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.Spinner;
import android.widget.TextView;
import java.io.File;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.mobilekit.demo.core.Manifest;
import org.mobilekit.demo.core.Preprocess;
import org.mobilekit.demo.core.Runner;
import org.mobilekit.demo.core.Runners;
import org.mobilekit.demo.core.Tensors;

/**
 * The demo screen: pick a bundle (folders under {@code <external-files>/bundles} or
 * {@code <files>/bundles}, e.g. pushed with {@code adb push out/digits_cnn /sdcard/Android/data/
 * org.mobilekit.demo/files/bundles/}) and an artifact, draw a digit or pick a picture, and see the
 * top-k labels and the latency. Preprocessing follows the manifest exactly ({@link Preprocess}).
 * Loading and inference run on one background thread; the UI thread only draws.
 */
public final class MainActivity extends Activity {
  private static final int PICK_IMAGE = 1;

  private final ExecutorService worker = Executors.newSingleThreadExecutor();
  private final List<File> bundles = new ArrayList<>();
  private Spinner bundleSpinner;
  private Spinner artifactSpinner;
  private DrawView drawing;
  private TextView output;

  // Owned by the worker thread only.
  private Runner runner;
  private String runnerKey;
  private Manifest manifest;
  private File bundleDir;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    LinearLayout root = new LinearLayout(this);
    root.setOrientation(LinearLayout.VERTICAL);
    root.setPadding(24, 24, 24, 24);
    bundleSpinner = new Spinner(this);
    artifactSpinner = new Spinner(this);
    drawing = new DrawView(this);
    output = new TextView(this);
    LinearLayout buttons = new LinearLayout(this);
    Button classify = new Button(this);
    classify.setText("Classify");
    Button clear = new Button(this);
    clear.setText("Clear");
    Button pick = new Button(this);
    pick.setText("Picture\u2026");
    buttons.addView(classify);
    buttons.addView(clear);
    buttons.addView(pick);
    root.addView(bundleSpinner);
    root.addView(artifactSpinner);
    root.addView(drawing);
    root.addView(buttons);
    root.addView(output);
    setContentView(root);

    for (File base : new File[] {getExternalFilesDir(null), getFilesDir()}) {
      File[] dirs = base == null ? null : new File(base, "bundles").listFiles();
      if (dirs != null) {
        for (File d : dirs) {
          if (new File(d, "manifest.json").isFile()) {
            bundles.add(d);
          }
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (File d : bundles) {
      names.add(d.getName());
    }
    bundleSpinner.setAdapter(new ArrayAdapter<>(this, android.R.layout.simple_spinner_dropdown_item, names));
    bundleSpinner.setOnItemSelectedListener(new AdapterView.OnItemSelectedListener() {
      @Override
      public void onItemSelected(AdapterView<?> parent, View view, int position, long id) {
        openBundle(bundles.get(position));
      }

      @Override
      public void onNothingSelected(AdapterView<?> parent) {}
    });
    if (bundles.isEmpty()) {
      output.setText("No bundle found. Push one into " + new File(getExternalFilesDir(null), "bundles"));
    }
    classify.setOnClickListener(v -> classify(drawing.snapshot()));
    clear.setOnClickListener(v -> drawing.clear());
    pick.setOnClickListener(v -> startActivityForResult(
        new Intent(Intent.ACTION_GET_CONTENT).setType("image/*"), PICK_IMAGE));
  }

  private void openBundle(File dir) {
    worker.execute(() -> {
      try {
        Manifest m = Manifest.load(dir);
        List<String> files = new ArrayList<>();
        for (Manifest.Artifact a : m.artifacts) {
          if (a.platforms.contains("android")
              && (a.runtime.equals("executorch") || a.runtime.equals("onnxruntime"))) {
            files.add(a.file);
          }
        }
        manifest = m;
        bundleDir = dir;
        runOnUiThread(() -> {
          artifactSpinner.setAdapter(
              new ArrayAdapter<>(this, android.R.layout.simple_spinner_dropdown_item, files));
          output.setText(m.name + ": " + files.size() + " artifacts for Android");
        });
      } catch (Exception e) {
        show("Cannot read " + dir + ": " + e.getMessage());
      }
    });
  }

  @Override
  protected void onActivityResult(int requestCode, int resultCode, Intent data) {
    super.onActivityResult(requestCode, resultCode, data);
    if (requestCode != PICK_IMAGE || resultCode != RESULT_OK || data == null || data.getData() == null) {
      return;
    }
    Uri uri = data.getData();
    worker.execute(() -> {
      BitmapFactory.Options opts = new BitmapFactory.Options();
      opts.inPreferredConfig = Bitmap.Config.ARGB_8888;
      try (InputStream in = getContentResolver().openInputStream(uri)) {
        Bitmap b = BitmapFactory.decodeStream(in, null, opts);
        if (b == null) {
          show("Cannot decode that picture.");
          return;
        }
        runOnUiThread(() -> drawing.show(b));
      } catch (Exception e) {
        show("Cannot open that picture: " + e.getMessage());
      }
    });
  }

  private void classify(Bitmap picture) {
    Object selected = artifactSpinner.getSelectedItem();
    if (selected == null) {
      show("Pick a bundle and an artifact first.");
      return;
    }
    String file = selected.toString();
    worker.execute(() -> {
      try {
        Manifest m = manifest;
        Manifest.Input input = m.inputs.get(0);
        if (input.preprocess == null) {
          show("inputs[0] of " + m.name + " is not an image.");
          return;
        }
        String key = bundleDir + "/" + file;
        if (!key.equals(runnerKey)) {
          if (runner != null) {
            runner.close();
            runner = null;
          }
          runner = Runners.open(bundleDir, m, m.artifact(file), 0, Collections.<String, String>emptyMap());
          runnerKey = key;
        }
        int w = picture.getWidth();
        int h = picture.getHeight();
        int[] pixels = new int[w * h];
        picture.getPixels(pixels, 0, w, 0, 0, w, h);
        Preprocess pre = new Preprocess(input.preprocess);
        float[] x = pre.toLayout(pre.apply(pixels, w, h), input.layout);
        long t0 = System.nanoTime();
        float[] y = runner.run(x);
        double ms = (System.nanoTime() - t0) / 1e6;
        Manifest.Output out = m.outputs.get(0);
        float[] scores = out.softmax ? Tensors.softmax(y) : y;
        List<String> labels = m.readLabels(bundleDir);
        StringBuilder sb = new StringBuilder();
        for (int i : Tensors.topK(scores, out.topK)) {
          String label = i < labels.size() ? labels.get(i) : "class " + i;
          sb.append(String.format(java.util.Locale.US, "%s  %.3f%n", label, scores[i]));
        }
        sb.append(String.format(java.util.Locale.US, "%.2f ms, %s", ms, runner.describe()));
        show(sb.toString());
      } catch (Throwable t) {
        show("Failed: " + t);
      }
    });
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
