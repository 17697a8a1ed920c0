package org.mobilekit.demo.core;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.File;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs an ONNX Runtime model ({@code .onnx} or ORT format {@code .ort}) through the Java API that
 * both com.microsoft.onnxruntime:onnxruntime-android and the desktop jar provide.
 *
 * <p>With {@code xnnpack} it registers the XNNPACK execution provider the Android package ships, with
 * ORT's recommended threading: XNNPACK's own pool gets the threads, ORT's intra-op pool gets one
 * thread and does not spin. Where the provider is missing (the desktop jar) the session falls back
 * to the CPU provider and {@link #describe} says so.
 */
public final class OrtRunner implements Runner {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final long[] shape;
  private final String provider;
  private final String fileName;
  private final int threads;
  private boolean closed;

  /**
   * Creates the session.
   *
   * @param file the .onnx or .ort file
   * @param inputName the manifest's input name (the session's first input is used if it differs)
   * @param shape inputs[0]'s concrete shape
   * @param threads CPU threads for the model's operators (>= 1, resolved by {@code Benchmark.Config}):
   *     XNNPACK's pool with ORT's intra-op pool at 1, or ORT's intra-op pool on the CPU provider
   * @param xnnpack try the XNNPACK execution provider first
   * @param config extra session config entries, e.g. {@code session.x64quantprecision=1} on x86 hosts
   * @throws OrtException when ORT cannot load the model
   */
  public OrtRunner(File file, String inputName, long[] shape, int threads, boolean xnnpack,
      Map<String, String> config) throws OrtException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1 (resolve 0 with Benchmark.Config.resolvedThreads)");
    }
    env = OrtEnvironment.getEnvironment();
    fileName = file.getName();
    String used = "cpu";
    OrtSession s = null;
    if (xnnpack) {
      try (OrtSession.SessionOptions opts = options(threads, config)) {
        Map<String, String> xo = new HashMap<>();
        xo.put("intra_op_num_threads", Integer.toString(threads));
        opts.setIntraOpNumThreads(1);
        opts.addConfigEntry("session.intra_op.allow_spinning", "0");
        opts.addXnnpack(xo);
        s = env.createSession(file.getAbsolutePath(), opts);
        used = "xnnpack";
      } catch (OrtException e) {
        used = "cpu (xnnpack unavailable: " + firstLine(e.getMessage()) + ")";
      }
    }
    if (s == null) {
      try (OrtSession.SessionOptions opts = options(threads, config)) {
        opts.setIntraOpNumThreads(threads);
        s = env.createSession(file.getAbsolutePath(), opts);
      }
    }
    session = s;
    provider = used;
    this.inputName = session.getInputNames().contains(inputName)
        ? inputName : session.getInputNames().iterator().next();
    this.shape = shape.clone();
    this.threads = threads;
  }

  private static OrtSession.SessionOptions options(int threads, Map<String, String> config) throws OrtException {
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    for (Map.Entry<String, String> e : config.entrySet()) {
      opts.addConfigEntry(e.getKey(), e.getValue());
    }
    return opts;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public float[] run(float[] values) throws OrtException {
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
         OrtSession.Result r = session.run(Collections.singletonMap(inputName, t))) {
      OnnxValue v = r.get(0);
      if (!(v instanceof OnnxTensor)) {
        throw new IllegalStateException("output 0 is not a tensor");
      }
      FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }

  @Override
  public String describe() {
    return "onnxruntime " + provider + " threads=" + threads + " file=" + fileName;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        session.close();
      } catch (OrtException e) {
        // closing a session only fails when it is already gone
      }
    }
  }
}
