package org.mobilekit.demo;

import android.app.Activity;
import android.content.Intent;
import android.content.res.AssetFileDescriptor;
import android.net.Uri;
import android.os.Bundle;
import android.util.Log;
import android.widget.TextView;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.mobilekit.demo.core.Benchmark;
import org.mobilekit.demo.core.Plan;

/**
 * Firebase Test Lab game-loop entry point: Test Lab starts this activity with
 * {@code com.google.intent.action.TEST_LOOP}, an int extra {@code scenario} (1-based; 0 or absent: all
 * cases) and a data URI for the results file. It runs the benchmark plan ({@link Plan}) from
 * {@code /data/local/tmp/mobilekit/plan.json} (push it with {@code --other-files}), else the plan for
 * the demo bundle built into the APK, writes one {@code mobilekit.gameloop/1} JSON document to the URI
 * (every case's result.json, or its error), also leaves each case's files under
 * {@code <external-files>/mobilekit/<run_id>/} as the benchmark activity does, and finishes.
 */
public final class GameLoopActivity extends Activity {
  /** The action Test Lab sends. */
  public static final String ACTION = "com.google.intent.action.TEST_LOOP";
  /** Where a farm job puts the plan (Test Lab: {@code --other-files /data/local/tmp/mobilekit/plan.json=plan.json}). */
  public static final String PLAN_PATH = "/data/local/tmp/mobilekit/plan.json";
  /** Optional string extra: a plan file other than {@link #PLAN_PATH} (local runs and tests). */
  public static final String EXTRA_PLAN = "plan";
  private static final String TAG = "GameLoopActivity";

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    TextView status = new TextView(this);
    status.setText("mobilekit game loop running\u2026");
    EdgeToEdge.padForSystemBars(status, 32);
    setContentView(status);
    if (savedInstanceState != null) {
      finish();
      return;
    }
    BenchmarkActivity.wakeAndShowOverKeyguard(this);
    Intent intent = getIntent();
    int scenario = intent.getIntExtra("scenario", 0);
    String planPath = intent.getStringExtra(EXTRA_PLAN);
    Uri out = intent.getData();
    new Thread(() -> {
      try {
        byte[] doc = run(scenario, new File(planPath != null ? planPath : PLAN_PATH)).toString(2).getBytes(StandardCharsets.UTF_8);
        write(out, doc);
      } catch (Throwable t) {
        Log.e(TAG, "game loop failed", t);
      } finally {
        runOnUiThread(this::finish);
      }
    }, "mobilekit-gameloop").start();
  }

  private JSONObject run(int scenario, File planFile) throws JSONException {
    JSONObject doc = new JSONObject();
    doc.put("schema", "mobilekit.gameloop/1");
    doc.put("scenario", scenario);
    doc.put("started_utc", Benchmark.now());
    JSONArray results = new JSONArray();
    JSONArray errors = new JSONArray();
    try {
      File builtIn = DemoBundles.firstInstalled(this);
      Plan plan = planFile.isFile() ? Plan.load(planFile, builtIn) : Plan.forBundle(requireBundle(builtIn));
      doc.put("plan", planFile.isFile() ? planFile.getPath() : "built-in " + plan.bundle.getName());
      doc.put("bundle", plan.bundle.getPath());
      List<Plan.Case> cases = plan.scenario(scenario);
      Benchmark bench = new Benchmark(new AndroidProbes(this), Collections.<String, String>emptyMap(), 1.0);
      List<File> bases = BenchmarkActivity.resultBases(this);
      String prefix = "gameloop-" + System.currentTimeMillis();
      for (int i = 0; i < cases.size(); i++) {
        Plan.Case c = cases.get(i);
        String runId = prefix + "-" + i;
        String outcome = bench.execute(bases, plan.bundle.getPath(), c.artifact, runId, plan.warmup,
            plan.iterations, c.threads, plan.energy);
        File dir = new File(new File(bases.get(0), "mobilekit"), runId);
        if (outcome.equals("done")) {
          results.put(new JSONObject(new String(Files.readAllBytes(new File(dir, "result.json").toPath()),
              StandardCharsets.UTF_8)));
        } else {
          JSONObject e = new JSONObject();
          e.put("artifact", c.artifact);
          e.put("threads", c.threads);
          e.put("error", outcome.substring(Math.min(outcome.length(), "error: ".length())));
          errors.put(e);
        }
      }
    } catch (Exception e) {
      JSONObject err = new JSONObject();
      err.put("error", e.toString());
      errors.put(err);
    }
    doc.put("results", results);
    doc.put("errors", errors);
    doc.put("finished_utc", Benchmark.now());
    return doc;
  }

  private static File requireBundle(File bundle) {
    if (bundle == null) {
      throw new IllegalArgumentException("no plan at " + PLAN_PATH + " and no demo bundle in the APK");
    }
    return bundle;
  }

  private void write(Uri uri, byte[] body) throws IOException {
    if (uri == null) {
      File f = new File(getExternalFilesDir(null), "gameloop-results.json");
      try (OutputStream o = new FileOutputStream(f)) {
        o.write(body);
      }
      return;
    }
    if ("file".equals(uri.getScheme())) {
      try (OutputStream o = new FileOutputStream(uri.getPath())) {
        o.write(body);
      }
      return;
    }
    // Test Lab's results file (as its sample: a writable file descriptor on the content URI).
    try (AssetFileDescriptor fd = getContentResolver().openAssetFileDescriptor(uri, "w")) {
      if (fd == null) {
        throw new IOException("cannot open " + uri + " for writing");
      }
      try (OutputStream o = new FileOutputStream(fd.getFileDescriptor())) {
        o.write(body);
      }
    }
  }
}
