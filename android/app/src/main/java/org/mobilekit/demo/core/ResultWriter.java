package org.mobilekit.demo.core;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * Writes one run's files into every results directory the runner may read: {@code result.json} then
 * an empty {@code done}, or {@code error} with the message. On Android the directories are
 * {@code getExternalFilesDir(null)/mobilekit/<run_id>} (adb can pull it) and
 * {@code getFilesDir()/mobilekit/<run_id>} (read with {@code run-as} where shell cannot read the
 * external one). Each file is written to a temporary name and renamed, and {@code done} comes only
 * after every {@code result.json}, so a poller never reads half a result.
 */
public final class ResultWriter {
  private final List<File> dirs;

  /**
   * @param dirs the run directories ({@link #runDir} of each base)
   */
  public ResultWriter(List<File> dirs) {
    if (dirs.isEmpty()) {
      throw new IllegalArgumentException("no results directory");
    }
    this.dirs = new ArrayList<>(dirs);
  }

  /**
   * The run directory under a base directory.
   *
   * @param base e.g. {@code getFilesDir()}
   * @param runId a checked run id ({@link Benchmark#checkRunId})
   * @return {@code base/mobilekit/runId}
   */
  public static File runDir(File base, String runId) {
    return new File(new File(base, "mobilekit"), Benchmark.checkRunId(runId));
  }

  /** The directories this writer writes to. */
  public List<File> dirs() {
    return new ArrayList<>(dirs);
  }

  /**
   * Creates the directories and removes a previous run's result.json, done and error.
   *
   * @throws IOException when no directory can be prepared
   */
  public void prepare() throws IOException {
    int ok = 0;
    for (File d : dirs) {
      for (String name : new String[] {"result.json", "done", "error"}) {
        File f = new File(d, name);
        if (f.exists() && !f.delete()) {
          throw new IOException("cannot remove the stale " + f);
        }
      }
      if (d.isDirectory() || d.mkdirs()) {
        ok++;
      }
    }
    if (ok == 0) {
      throw new IOException("cannot create any results directory: " + dirs);
    }
  }

  /**
   * Writes result.json in every directory, then done in every directory.
   *
   * @param result the result document
   * @return the directories that could not be written (empty when all were)
   * @throws IOException when no directory could be written
   * @throws JSONException when the document holds a non-finite number
   */
  public List<File> writeResult(JSONObject result) throws IOException, JSONException {
    byte[] body = (result.toString(2) + "\n").getBytes(StandardCharsets.UTF_8);
    List<File> failed = new ArrayList<>();
    List<File> written = new ArrayList<>();
    for (File d : dirs) {
      try {
        atomicWrite(new File(d, "result.json"), body);
        written.add(d);
      } catch (IOException e) {
        failed.add(d);
      }
    }
    if (written.isEmpty()) {
      throw new IOException("cannot write result.json to any of " + dirs);
    }
    for (File d : written) {
      atomicWrite(new File(d, "done"), new byte[0]);
    }
    return failed;
  }

  /**
   * Writes the error file (and no done) in every directory that can take it.
   *
   * @param message what went wrong, for the runner's report
   */
  public void writeError(String message) {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    for (File d : dirs) {
      try {
        d.mkdirs();
        atomicWrite(new File(d, "error"), body);
      } catch (IOException e) {
        // the other directory may still take it; nothing else can be done from here
      }
    }
  }

  /**
   * A readable one-paragraph message for a failure: type, message, causes and the first frames.
   *
   * @param t what was thrown (exceptions, OutOfMemoryError, ...)
   * @return the text for the error file
   */
  public static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    if (t instanceof UnsupportedArtifactException || t instanceof IllegalArgumentException) {
      sb.append(t.getMessage());
    } else {
      sb.append(t.getClass().getName()).append(": ").append(t.getMessage());
    }
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      sb.append("\ncaused by ").append(c.getClass().getName()).append(": ").append(c.getMessage());
    }
    if (!(t instanceof UnsupportedArtifactException || t instanceof IllegalArgumentException)) {
      StringWriter sw = new StringWriter();
      t.printStackTrace(new PrintWriter(sw));
      String[] lines = sw.toString().split("\n");
      sb.append("\n");
      for (int i = 1; i < Math.min(lines.length, 9); i++) {
        sb.append(lines[i]).append("\n");
      }
    }
    return sb.toString().trim();
  }

  private static void atomicWrite(File target, byte[] body) throws IOException {
    File tmp = new File(target.getParentFile(), "." + target.getName() + ".tmp");
    try (FileOutputStream out = new FileOutputStream(tmp)) {
      out.write(body);
      out.getFD().sync();
    }
    if (!tmp.renameTo(target)) {
      tmp.delete();
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
  }
}
