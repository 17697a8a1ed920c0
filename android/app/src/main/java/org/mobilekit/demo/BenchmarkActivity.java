package org.mobilekit.demo;

import android.app.Activity;
import android.app.KeyguardManager;
import android.content.Context;
import android.content.Intent;
import android.os.Build;
import android.os.Bundle;
import android.util.Log;
import android.view.WindowManager;
import android.widget.TextView;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mobilekit.demo.core.Benchmark;
import org.mobilekit.demo.core.LlmBenchmark;

/**
 * Headless benchmark mode, started by the device runner (the shell user holds
 * {@code android.permission.DUMP}, which guards this activity in AndroidManifest.xml):
 *
 * <pre>
 * am start -W -S -n org.mobilekit.demo/.BenchmarkActivity --es bundle DIR --es artifact FILE
 *   --es run_id ID --ei warmup N --ei iterations N --ei threads N --ez energy true
 * </pre>
 *
 * <p>The activity turns the screen on and shows over the keyguard (and asks to dismiss it), keeps the
 * screen on, and runs the case on a background thread ({@link Benchmark}); it writes result.json and an
 * empty {@code done} (or {@code error} with the message, for any Throwable including
 * OutOfMemoryError) to {@code getExternalFilesDir(null)/mobilekit/ID/} and
 * {@code getFilesDir()/mobilekit/ID/}, then finishes. Nothing runs after {@code finish()}.
 *
 * <p>With {@code --es mode llm} it runs the LLM case instead ({@link #runLlmCase}: prompts x repetitions
 * of greedy generation, result.json with the {@code llm} section).
 */
public final class BenchmarkActivity extends Activity {
  private static final String TAG = "BenchmarkActivity";
  private static final Object LOCK = new Object();
  private static boolean running;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    TextView status = new TextView(this);
    EdgeToEdge.padForSystemBars(status, 32);
    setContentView(status);
    if (savedInstanceState != null) {
      // Recreated by a configuration change while the first instance's thread still runs: that thread
      // writes the files; this instance starts nothing and goes away.
      finish();
      return;
    }
    synchronized (LOCK) {
      if (running) {
        Log.w(TAG, "a benchmark is already running; this start is ignored");
        finish();
        return;
      }
      running = true;
    }
    wakeAndShowOverKeyguard(this);
    Intent intent = getIntent();
    String runId = intent.getStringExtra("run_id");
    status.setText("mobilekit benchmark " + runId + " running\u2026");
    Thread worker = new Thread(() -> runCase(intent), "mobilekit-benchmark");
    worker.start();
  }

  /**
   * Screen on, shown over the keyguard, keyguard dismissed where it is not secure, screen kept on: a case
   * must not run in the background on little cores. The runner also wakes the phone first
   * ({@code input keyevent KEYCODE_WAKEUP}, {@code wm dismiss-keyguard}).
   *
   * @param activity the foreground activity
   */
  static void wakeAndShowOverKeyguard(Activity activity) {
    if (Build.VERSION.SDK_INT >= 27) {
      activity.setShowWhenLocked(true);
      activity.setTurnScreenOn(true);
    } else {
      activity.getWindow().addFlags(WindowManager.LayoutParams.FLAG_SHOW_WHEN_LOCKED
          | WindowManager.LayoutParams.FLAG_TURN_SCREEN_ON);
    }
    activity.getWindow().addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON);
    KeyguardManager km = (KeyguardManager) activity.getSystemService(Context.KEYGUARD_SERVICE);
    if (km != null && km.isKeyguardLocked()) {
      km.requestDismissKeyguard(activity, null);
    }
  }

  /**
   * The two results directories of the protocol.
   *
   * @param context the app context
   * @return external files dir (when mounted) and files dir
   */
  static List<File> resultBases(Context context) {
    List<File> bases = new ArrayList<>();
    File external = context.getExternalFilesDir(null);
    if (external != null) {
      bases.add(external);
    }
    bases.add(context.getFilesDir());
    return bases;
  }

  /** Background thread: the whole case (plain Java, {@link Benchmark#execute}), then finish on the UI thread. */
  private void runCase(Intent intent) {
    try {
      String mode = intent.getStringExtra("mode");
      if ("llm".equals(mode) || (mode != null && !"model".equals(mode))) {
        runLlmCase(intent, mode);
        return;
      }
      Benchmark bench = new Benchmark(new AndroidProbes(this), Collections.<String, String>emptyMap(), 1.0);
      String outcome = bench.execute(resultBases(this),
          intent.getStringExtra("bundle"),
          intent.getStringExtra("artifact"),
          intent.getStringExtra("run_id"),
          intent.getIntExtra("warmup", 5),
          intent.getIntExtra("iterations", 50),
          intent.getIntExtra("threads", 0),
          intent.getBooleanExtra("energy", false));
      if (outcome.startsWith("error")) {
        Log.e(TAG, outcome);
      } else {
        Log.i(TAG, "benchmark " + intent.getStringExtra("run_id") + " " + outcome);
      }
    } finally {
      synchronized (LOCK) {
        running = false;
      }
      runOnUiThread(this::finish);
    }
  }

  /**
   * The LLM case (docs/llm-contract.md): {@code --es mode llm --es bundle DIR --es artifact FILE --es run_id ID
   * --es prompts prompts.json --es prompt_ids a,b --ei max_new_tokens N --ei warmup N --ei repetitions N
   * --ei threads N --ez energy true}, run by {@link LlmBenchmark} on this background thread.
   */
  private void runLlmCase(Intent intent, String mode) {
    LlmBenchmark.Config cfg = null;
    String bad = null;
    if (!"llm".equals(mode)) {
      bad = "unknown mode '" + mode + "': the benchmark modes are model (the default) and llm";
    } else {
      try {
        cfg = new LlmBenchmark.Config(intent.getStringExtra("prompts"), intent.getStringExtra("prompt_ids"),
            intent.getIntExtra("max_new_tokens", 0), intent.getIntExtra("warmup", 1),
            intent.getIntExtra("repetitions", 3), intent.getIntExtra("threads", 0),
            intent.getBooleanExtra("energy", false));
      } catch (IllegalArgumentException e) {
        bad = e.getMessage();
      }
    }
    String outcome = new LlmBenchmark(new AndroidProbes(this), 1.0).execute(resultBases(this),
        intent.getStringExtra("bundle"), intent.getStringExtra("artifact"), intent.getStringExtra("run_id"), cfg, bad);
    if (outcome.startsWith("error")) {
      Log.e(TAG, outcome);
    } else {
      Log.i(TAG, "llm benchmark " + intent.getStringExtra("run_id") + " " + outcome);
    }
  }
}
