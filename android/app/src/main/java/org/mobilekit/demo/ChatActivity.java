package org.mobilekit.demo;

import android.app.Activity;
import android.graphics.Typeface;
import android.os.Bundle;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.mobilekit.demo.core.Benchmark;
import org.mobilekit.demo.core.LlmChat;
import org.mobilekit.demo.core.LlmEngine;
import org.mobilekit.demo.core.LlmEngines;
import org.mobilekit.demo.core.LlmGeneration;
import org.mobilekit.demo.core.Manifest;

/**
 * Chat with a small LLM on the phone: pick an LLM bundle (a manifest with an {@code llm} block) and one of
 * its artifacts (ExecuTorch through LlmModule, or an ONNX Runtime GenAI folder), type a message, and the
 * answer streams in token by token; Stop ends it; under each answer the tokens, decode and prefill tokens
 * per second and the time to first token. The conversation is rendered with the manifest's chat template
 * ({@code llm.prompt_format}) each turn ({@link LlmChat}). Loading and generation run on one background
 * thread; the UI thread only draws and forwards Stop.
 */
public final class ChatActivity extends Activity {
  /** String extra: open this bundle first. */
  public static final String EXTRA_BUNDLE = "bundle";

  private final ExecutorService worker = Executors.newSingleThreadExecutor();
  private final List<File> bundles = new ArrayList<>();
  private final List<Manifest> manifests = new ArrayList<>();
  private final List<Manifest.Artifact> shown = new ArrayList<>();
  private Spinner bundleSpinner;
  private Spinner artifactSpinner;
  private EditText prompt;
  private Button send;
  private Button stop;
  private TextView transcript;
  private TextView status;
  private ScrollView transcriptScroll;
  /** Finished turns as shown; the answer in progress is appended to it on the UI thread. */
  private final StringBuilder done = new StringBuilder();
  private final StringBuilder current = new StringBuilder();

  // Owned by the worker thread (chat.stop() is safe from the UI thread).
  private volatile LlmChat chat;
  private LlmEngine engine;
  private String engineKey;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    LinearLayout root = new LinearLayout(this);
    root.setOrientation(LinearLayout.VERTICAL);
    bundleSpinner = new Spinner(this);
    bundleSpinner.setTag("bundle");
    artifactSpinner = new Spinner(this);
    artifactSpinner.setTag("artifact");
    status = new TextView(this);
    status.setTag("status");
    transcript = new TextView(this);
    transcript.setTag("transcript");
    transcript.setTypeface(Typeface.MONOSPACE);
    transcriptScroll = new ScrollView(this);
    transcriptScroll.addView(transcript);
    prompt = new EditText(this);
    prompt.setTag("prompt");
    prompt.setHint("Message");
    send = button("Send", "send", v -> sendMessage());
    stop = button("Stop", "stop", v -> stopAnswer());
    Button clear = button("New chat", "new", v -> newChat());
    stop.setEnabled(false);
    root.addView(bundleSpinner);
    root.addView(artifactSpinner);
    root.addView(status);
    root.addView(transcriptScroll, new LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f));
    root.addView(prompt);
    LinearLayout buttons = new LinearLayout(this);
    for (View b : new View[] {send, stop, clear}) {
      buttons.addView(b, new LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f));
    }
    root.addView(buttons);
    EdgeToEdge.padForSystemBars(root, 24);
    setContentView(root);

    status.setText("Looking for LLM bundles\u2026");
    String first = getIntent().getStringExtra(EXTRA_BUNDLE);
    worker.execute(() -> findBundles(first));
    bundleSpinner.setOnItemSelectedListener(new Selected(() -> showArtifacts()));
    artifactSpinner.setOnItemSelectedListener(new Selected(() -> openSelected()));
  }

  private Button button(String text, String tag, View.OnClickListener l) {
    Button b = new Button(this);
    b.setText(text);
    b.setTag(tag);
    b.setOnClickListener(l);
    return b;
  }

  /** Worker: every bundle with an llm block (the given one first). */
  private void findBundles(String first) {
    List<File> dirs = new ArrayList<>();
    if (first != null) {
      dirs.add(new File(first));
    }
    for (File d : DemoBundles.all(this)) {
      if (!dirs.contains(d)) {
        dirs.add(d);
      }
    }
    List<File> found = new ArrayList<>();
    List<Manifest> ms = new ArrayList<>();
    for (File d : dirs) {
      try {
        Manifest m = Manifest.load(d);
        if (m.llm != null) {
          found.add(d);
          ms.add(m);
        }
      } catch (Exception e) {
        // not a bundle this app can read: not listed
      }
    }
    runOnUiThread(() -> {
      bundles.clear();
      bundles.addAll(found);
      manifests.clear();
      manifests.addAll(ms);
      List<String> names = new ArrayList<>();
      for (File d : found) {
        names.add(d.getName());
      }
      bundleSpinner.setAdapter(adapter(names));
      if (found.isEmpty()) {
        status.setText("No LLM bundle. Export one (mobilekit export smollm2) and push it to "
            + new File(getExternalFilesDir(null), "bundles"));
      } else {
        showArtifacts();
      }
    });
  }

  private ArrayAdapter<String> adapter(List<String> items) {
    return new ArrayAdapter<>(this, android.R.layout.simple_spinner_dropdown_item, items.toArray(new String[0]));
  }

  /** UI thread: the selected bundle's artifacts this app generates with. */
  private void showArtifacts() {
    int i = bundleSpinner.getSelectedItemPosition();
    shown.clear();
    List<String> names = new ArrayList<>();
    if (i >= 0 && i < manifests.size()) {
      for (Manifest.Artifact a : manifests.get(i).artifacts) {
        if (LlmEngines.generates(a)) {
          shown.add(a);
          names.add(a.runtime + " " + a.precision + "  " + a.file);
        }
      }
    }
    artifactSpinner.setAdapter(adapter(names));
    if (!shown.isEmpty()) {
      openSelected();
    } else if (i >= 0) {
      status.setText("This bundle has no ExecuTorch or ONNX Runtime GenAI artifact for Android.");
    }
  }

  /** UI thread: load the selected artifact on the worker (a new conversation). */
  private void openSelected() {
    int b = bundleSpinner.getSelectedItemPosition();
    int a = artifactSpinner.getSelectedItemPosition();
    if (b < 0 || b >= bundles.size() || a < 0 || a >= shown.size()) {
      return;
    }
    File dir = bundles.get(b);
    Manifest m = manifests.get(b);
    Manifest.Artifact art = shown.get(a);
    String key = dir + "/" + art.file;
    status.setText("Loading " + art.file + "\u2026");
    send.setEnabled(false);
    worker.execute(() -> {
      try {
        if (!key.equals(engineKey)) {
          closeEngine();
          int threads = Benchmark.defaultThreads(Runtime.getRuntime().availableProcessors());
          engine = LlmEngines.open(dir, m, art, threads);
          engineKey = key;
          chat = new LlmChat(engine, m.llm);
        }
        String ready = String.format(java.util.Locale.US, "%s loaded in %.0f ms (%s)", art.file, engine.loadMs(),
            engine.describe());
        runOnUiThread(() -> {
          status.setText(ready);
          send.setEnabled(true);
        });
      } catch (Throwable t) {
        closeEngine();
        runOnUiThread(() -> status.setText("Cannot load " + art.file + ": " + t.getMessage()));
      }
    });
  }

  /** UI thread: send the typed message; the answer streams into the transcript. */
  private void sendMessage() {
    String text = prompt.getText().toString().trim();
    LlmChat c = chat;
    if (text.isEmpty() || c == null) {
      return;
    }
    prompt.setText("");
    send.setEnabled(false);
    stop.setEnabled(true);
    done.append("you: ").append(text).append("\n\nmodel: ");
    current.setLength(0);
    redraw();
    worker.execute(() -> {
      try {
        LlmGeneration g = c.send(text, piece -> runOnUiThread(() -> {
          current.append(piece);
          redraw();
        }));
        runOnUiThread(() -> {
          done.append(g.text).append("\n  [").append(g.statsLine()).append("]\n\n");
          current.setLength(0);
          redraw();
          status.setText(g.statsLine());
        });
      } catch (Throwable t) {
        runOnUiThread(() -> {
          done.append(current).append("\n  [failed: ").append(t.getMessage()).append("]\n\n");
          current.setLength(0);
          redraw();
        });
      } finally {
        runOnUiThread(() -> {
          send.setEnabled(true);
          stop.setEnabled(false);
        });
      }
    });
  }

  /** UI thread: the answer being generated ends after its current token. */
  private void stopAnswer() {
    LlmChat c = chat;
    if (c != null) {
      c.stop();
    }
  }

  private void newChat() {
    worker.execute(() -> {
      if (chat != null) {
        chat.reset();
      }
    });
    done.setLength(0);
    current.setLength(0);
    redraw();
  }

  private void redraw() {
    transcript.setText(done.toString() + current);
    transcriptScroll.post(() -> transcriptScroll.fullScroll(View.FOCUS_DOWN));
  }

  private void closeEngine() {
    chat = null;
    engineKey = null;
    if (engine != null) {
      engine.close();
      engine = null;
    }
  }

  @Override
  protected void onDestroy() {
    super.onDestroy();
    stopAnswer();
    worker.execute(this::closeEngine);
    worker.shutdown();
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
}
