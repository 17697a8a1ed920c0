package org.mobilekit.demo.core;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an ONNX Runtime model ({@code .onnx} or ORT format {@code .ort}) through the Java API that
 * both com.microsoft.onnxruntime:onnxruntime-android and the desktop jar provide.
 *
 * <p>With {@code xnnpack} it registers the XNNPACK execution provider the Android package ships, with
 * ORT's recommended threading: XNNPACK's own pool gets the threads, ORT's intra-op pool gets one
 * thread and does not spin. Where the provider is missing (the desktop jar) the session falls back
 * to the CPU provider and {@link #describe} says so.
 *
 * <p>Multi-input models get one {@code OnnxTensor} per input, in its dtype, under the manifest's input
 * name (or, when the session does not know that name, the session's input at the same position).
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
      return output(r);
    }
  }

  @Override
  public float[] run(List<InputTensor> inputs) throws OrtException {
    List<String> names = new ArrayList<>(session.getInputNames());
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (int i = 0; i < inputs.size(); i++) {
        InputTensor t = inputs.get(i);
        String name = names.contains(t.name) || i >= names.size() ? t.name : names.get(i);
        feed.put(name, tensor(env, t));
      }
      try (OrtSession.Result r = session.run(feed)) {
        return output(r);
      }
    } finally {
      for (OnnxTensor t : feed.values()) {
        t.close();
      }
    }
  }

  /**
   * The ORT tensor of one input, in its dtype.
   *
   * @param env the environment
   * @param t the input
   * @return a new tensor (close it)
   * @throws OrtException when ORT refuses it
   */
  static OnnxTensor tensor(OrtEnvironment env, InputTensor t) throws OrtException {
    switch (t.dtype) {
      case "float32":
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), t.shape);
      case "int64":
        return OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), t.shape);
      case "int32":
        return OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints()), t.shape);
      case "int8":
        return OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), t.shape);
      case "uint8":
        return OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), t.shape, OnnxJavaType.UINT8);
      case "bool":
        return OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), t.shape, OnnxJavaType.BOOL);
      case "float16": {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * 2).order(ByteOrder.nativeOrder());
        b.asShortBuffer().put(t.halfBits());
        return OnnxTensor.createTensor(env, b, t.shape, OnnxJavaType.FLOAT16);
      }
      default:
        throw new IllegalArgumentException("input '" + t.name + "' has unknown dtype " + t.dtype);
    }
  }

  private static float[] output(OrtSession.Result r) {
    OnnxValue v = r.get(0);
    if (!(v instanceof OnnxTensor)) {
      throw new IllegalStateException("output 0 is not a tensor");
    }
    FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
    if (fb == null) {
      throw new IllegalStateException("output 0 is " + ((OnnxTensor) v).getInfo().type + ", not float32");
    }
    float[] out = new float[fb.remaining()];
    fb.get(out);
    return out;
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
