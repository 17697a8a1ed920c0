package org.mobilekit.demo;

import android.Manifest.permission;
import android.app.Activity;
import android.content.Context;
import android.content.pm.PackageManager;
import android.graphics.ImageFormat;
import android.graphics.Matrix;
import android.graphics.RectF;
import android.graphics.SurfaceTexture;
import android.graphics.Typeface;
import android.hardware.camera2.CameraAccessException;
import android.hardware.camera2.CameraCaptureSession;
import android.hardware.camera2.CameraCharacteristics;
import android.hardware.camera2.CameraDevice;
import android.hardware.camera2.CameraManager;
import android.hardware.camera2.CaptureRequest;
import android.hardware.camera2.params.OutputConfiguration;
import android.hardware.camera2.params.SessionConfiguration;
import android.hardware.camera2.params.StreamConfigurationMap;
import android.media.Image;
import android.media.ImageReader;
import android.os.Build;
import android.os.Bundle;
import android.os.Handler;
import android.os.HandlerThread;
import android.util.Size;
import android.view.Surface;
import android.view.TextureView;
import android.view.View;
import android.widget.AdapterView;
import android.widget.ArrayAdapter;
import android.widget.LinearLayout;
import android.widget.Spinner;
import android.widget.TextView;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mobilekit.demo.core.Benchmark;
import org.mobilekit.demo.core.CameraFrame;
import org.mobilekit.demo.core.LiveClassifier;
import org.mobilekit.demo.core.Manifest;
import org.mobilekit.demo.core.Runner;
import org.mobilekit.demo.core.Runners;

/**
 * Live classification from the camera, as the ExecuTorch, ONNX Runtime and MediaPipe samples do: a
 * preview, the top-3 labels of the open bundle updating as fast as the model allows, frames per second and
 * the inference milliseconds, and a runtime switch (every ExecuTorch and ONNX Runtime artifact of the
 * bundle).
 *
 * <p>Camera2 from the framework, not CameraX: CameraX lives on Google's Maven, which cannot be reached
 * where this app is compiled and tested, and Camera2 compiles against the Android framework itself. A
 * {@link TextureView} shows the preview; an {@link ImageReader} delivers {@code YUV_420_888} frames at
 * about 640x480 on the analysis thread, which keeps only the newest frame ({@code acquireLatestImage}, two
 * buffers), so a slow model drops frames instead of queueing them. Each frame becomes a tensor with
 * {@link CameraFrame} (YUV to RGB, rotation to upright, the manifest's preprocess: plain Java, tested on
 * the JVM against Python's preprocess) and is classified by {@link LiveClassifier}. Inference never runs
 * on the UI thread.
 */
public final class CameraActivity extends Activity {
  /** String extra: the bundle directory (default: the first built-in bundle). */
  public static final String EXTRA_BUNDLE = "bundle";
  /** String extra: the artifact to start with (default: the first ExecuTorch or ONNX Runtime one). */
  public static final String EXTRA_ARTIFACT = "artifact";
  private static final int CAMERA_PERMISSION = 3;
  /** The analysis stream's target size: plenty for 224-pixel models, cheap to convert. */
  static final Size ANALYSIS = new Size(640, 480);

  private TextureView preview;
  private TextView overlay;
  private Spinner artifactSpinner;
  private final List<Manifest.Artifact> artifacts = new ArrayList<>();
  private HandlerThread analysisThread;
  private Handler analysisHandler;
  private HandlerThread cameraThread;
  private Handler cameraHandler;
  private CameraDevice camera;
  private CameraCaptureSession session;
  private ImageReader reader;
  private Size previewSize;
  private volatile int frameRotation;
  private volatile String wantedArtifact;
  private volatile Manifest manifest;
  private volatile File bundleDir;
  private volatile String lastOverlay = "";

  // Owned by the analysis thread.
  private Runner runner;
  private LiveClassifier live;
  private String loadedArtifact;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    LinearLayout root = new LinearLayout(this);
    root.setOrientation(LinearLayout.VERTICAL);
    artifactSpinner = new Spinner(this);
    artifactSpinner.setTag("artifact");
    preview = new TextureView(this);
    preview.setTag("preview");
    overlay = new TextView(this);
    overlay.setTag("overlay");
    overlay.setTypeface(Typeface.MONOSPACE);
    overlay.setText("Opening the camera\u2026");
    root.addView(artifactSpinner);
    root.addView(preview, new LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f));
    root.addView(overlay);
    EdgeToEdge.padForSystemBars(root, 16);
    setContentView(root);

    analysisThread = new HandlerThread("mobilekit-camera-analysis");
    analysisThread.start();
    analysisHandler = new Handler(analysisThread.getLooper());
    String bundle = getIntent().getStringExtra(EXTRA_BUNDLE);
    wantedArtifact = getIntent().getStringExtra(EXTRA_ARTIFACT);
    analysisHandler.post(() -> openBundle(bundle));
    artifactSpinner.setOnItemSelectedListener(new AdapterView.OnItemSelectedListener() {
      @Override
      public void onItemSelected(AdapterView<?> parent, View view, int position, long id) {
        if (position >= 0 && position < artifacts.size()) {
          wantedArtifact = artifacts.get(position).file; // the next frame loads it
        }
      }

      @Override
      public void onNothingSelected(AdapterView<?> parent) {}
    });
    preview.setSurfaceTextureListener(new TextureView.SurfaceTextureListener() {
      @Override
      public void onSurfaceTextureAvailable(SurfaceTexture st, int w, int h) {
        openCamera();
      }

      @Override
      public void onSurfaceTextureSizeChanged(SurfaceTexture st, int w, int h) {
        configureTransform(w, h);
      }

      @Override
      public boolean onSurfaceTextureDestroyed(SurfaceTexture st) {
        return true;
      }

      @Override
      public void onSurfaceTextureUpdated(SurfaceTexture st) {}
    });
  }

  /** Analysis thread: the bundle (the given one, else the first built-in one) and its runnable artifacts. */
  private void openBundle(String path) {
    try {
      File dir = path != null ? new File(path) : DemoBundles.firstInstalled(this);
      if (dir == null) {
        show("No bundle: export one (mobilekit export digits) and rebuild, or open the camera from the demo screen.");
        return;
      }
      Manifest m = Manifest.load(dir);
      List<Manifest.Artifact> runnable = new ArrayList<>();
      for (Manifest.Artifact a : m.artifacts) {
        if (a.platforms.contains("android") && (a.runtime.equals("executorch") || a.runtime.equals("onnxruntime"))) {
          runnable.add(a);
        }
      }
      if (m.inputs.get(0).preprocess == null) {
        show(m.name + " does not take a picture: the camera screen classifies image models.");
        return;
      }
      manifest = m;
      bundleDir = dir;
      runOnUiThread(() -> {
        artifacts.clear();
        artifacts.addAll(runnable);
        List<String> names = new ArrayList<>();
        int pick = 0;
        for (int i = 0; i < runnable.size(); i++) {
          Manifest.Artifact a = runnable.get(i);
          names.add(a.runtime + " " + a.precision + "  " + a.file);
          if (a.file.equals(wantedArtifact)) {
            pick = i;
          }
        }
        artifactSpinner.setAdapter(new ArrayAdapter<>(this, android.R.layout.simple_spinner_dropdown_item,
            names.toArray(new String[0])));
        if (!runnable.isEmpty()) {
          artifactSpinner.setSelection(pick);
          wantedArtifact = runnable.get(pick).file;
        }
      });
    } catch (Exception e) {
      show("Cannot open the bundle: " + e.getMessage());
    }
  }

  @Override
  protected void onResume() {
    super.onResume();
    cameraThread = new HandlerThread("mobilekit-camera");
    cameraThread.start();
    cameraHandler = new Handler(cameraThread.getLooper());
    if (checkSelfPermission(permission.CAMERA) != PackageManager.PERMISSION_GRANTED) {
      show("The live camera needs the camera permission.");
      requestPermissions(new String[] {permission.CAMERA}, CAMERA_PERMISSION);
    } else if (preview.isAvailable()) {
      openCamera();
    }
  }

  @Override
  public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] results) {
    super.onRequestPermissionsResult(requestCode, permissions, results);
    if (requestCode == CAMERA_PERMISSION) {
      if (results.length > 0 && results[0] == PackageManager.PERMISSION_GRANTED) {
        if (preview.isAvailable()) {
          openCamera();
        }
      } else {
        show("No camera permission: the live camera cannot run. The demo screen's Camera and Photo buttons "
            + "still work (the system camera app takes the picture).");
      }
    }
  }

  @Override
  protected void onPause() {
    closeCamera();
    if (cameraThread != null) {
      cameraThread.quitSafely();
      cameraThread = null;
      cameraHandler = null;
    }
    super.onPause();
  }

  @Override
  protected void onDestroy() {
    super.onDestroy();
    Handler h = analysisHandler;
    if (h != null) {
      h.post(this::closeRunner);
      analysisThread.quitSafely();
    }
  }

  /** UI thread: opens the back camera (else the first one) with a preview and an analysis stream. */
  private void openCamera() {
    if (camera != null || cameraHandler == null
        || checkSelfPermission(permission.CAMERA) != PackageManager.PERMISSION_GRANTED) {
      return;
    }
    CameraManager cm = (CameraManager) getSystemService(Context.CAMERA_SERVICE);
    try {
      String id = chooseCamera(cm);
      if (id == null) {
        show("This device has no camera.");
        return;
      }
      CameraCharacteristics c = cm.getCameraCharacteristics(id);
      StreamConfigurationMap map = c.get(CameraCharacteristics.SCALER_STREAM_CONFIGURATION_MAP);
      Integer sensor = c.get(CameraCharacteristics.SENSOR_ORIENTATION);
      Integer facing = c.get(CameraCharacteristics.LENS_FACING);
      frameRotation = CameraFrame.rotationDegrees(sensor == null ? 90 : sensor, displayRotationDegrees(),
          facing != null && facing == CameraCharacteristics.LENS_FACING_FRONT);
      Size analysis = closest(map == null ? null : map.getOutputSizes(ImageFormat.YUV_420_888), ANALYSIS);
      previewSize = closest(map == null ? null : map.getOutputSizes(SurfaceTexture.class), new Size(1280, 960));
      reader = ImageReader.newInstance(analysis.getWidth(), analysis.getHeight(), ImageFormat.YUV_420_888, 2);
      reader.setOnImageAvailableListener(this::onImage, analysisHandler);
      cm.openCamera(id, new CameraDevice.StateCallback() {
        @Override
        public void onOpened(CameraDevice device) {
          camera = device;
          startSession();
        }

        @Override
        public void onDisconnected(CameraDevice device) {
          device.close();
          camera = null;
        }

        @Override
        public void onError(CameraDevice device, int error) {
          device.close();
          camera = null;
          show("The camera failed (error " + error + ").");
        }
      }, cameraHandler);
      configureTransform(preview.getWidth(), preview.getHeight());
    } catch (CameraAccessException | SecurityException | IllegalArgumentException e) {
      show("Cannot open the camera: " + e.getMessage());
    }
  }

  private static String chooseCamera(CameraManager cm) throws CameraAccessException {
    String[] ids = cm.getCameraIdList();
    for (String id : ids) {
      Integer facing = cm.getCameraCharacteristics(id).get(CameraCharacteristics.LENS_FACING);
      if (facing != null && facing == CameraCharacteristics.LENS_FACING_BACK) {
        return id;
      }
    }
    return ids.length > 0 ? ids[0] : null;
  }

  /** Camera thread: a repeating request to the preview and the analysis stream. */
  private void startSession() {
    CameraDevice device = camera;
    SurfaceTexture texture = preview.getSurfaceTexture();
    if (device == null || texture == null || reader == null) {
      return;
    }
    texture.setDefaultBufferSize(previewSize.getWidth(), previewSize.getHeight());
    Surface previewSurface = new Surface(texture);
    Surface analysisSurface = reader.getSurface();
    CameraCaptureSession.StateCallback callback = new CameraCaptureSession.StateCallback() {
      @Override
      public void onConfigured(CameraCaptureSession s) {
        session = s;
        try {
          CaptureRequest.Builder b = device.createCaptureRequest(CameraDevice.TEMPLATE_PREVIEW);
          b.addTarget(previewSurface);
          b.addTarget(analysisSurface);
          b.set(CaptureRequest.CONTROL_AF_MODE, CaptureRequest.CONTROL_AF_MODE_CONTINUOUS_PICTURE);
          s.setRepeatingRequest(b.build(), null, cameraHandler);
        } catch (CameraAccessException | IllegalStateException e) {
          show("Cannot start the preview: " + e.getMessage());
        }
      }

      @Override
      public void onConfigureFailed(CameraCaptureSession s) {
        show("The camera refused the preview and analysis streams.");
      }
    };
    try {
      if (Build.VERSION.SDK_INT >= 28) {
        device.createCaptureSession(new SessionConfiguration(SessionConfiguration.SESSION_REGULAR,
            Arrays.asList(new OutputConfiguration(previewSurface), new OutputConfiguration(analysisSurface)),
            getMainExecutor(), callback));
      } else {
        device.createCaptureSession(Arrays.asList(previewSurface, analysisSurface), callback, cameraHandler);
      }
    } catch (CameraAccessException | IllegalStateException e) {
      show("Cannot configure the camera: " + e.getMessage());
    }
  }

  private void closeCamera() {
    if (session != null) {
      session.close();
      session = null;
    }
    if (camera != null) {
      camera.close();
      camera = null;
    }
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  /** Analysis thread: the newest frame (older ones are dropped by the reader), classified and closed. */
  private void onImage(ImageReader r) {
    Image image;
    try {
      image = r.acquireLatestImage();
    } catch (IllegalStateException e) {
      return;
    }
    if (image == null) {
      return;
    }
    try {
      Image.Plane[] p = image.getPlanes();
      analyze(new CameraFrame(image.getWidth(), image.getHeight(), p[0].getBuffer(), p[0].getRowStride(),
          p[0].getPixelStride(), p[1].getBuffer(), p[2].getBuffer(), p[1].getRowStride(), p[1].getPixelStride(),
          frameRotation));
    } finally {
      image.close();
    }
  }

  /**
   * Classifies a frame on the analysis thread (tests hand frames in here; the camera's come through
   * {@link #onImage}).
   *
   * @param frame a camera frame
   */
  void submitFrame(CameraFrame frame) {
    analysisHandler.post(() -> analyze(frame));
  }

  /** Analysis thread: load the wanted artifact when it changed, classify, show. */
  private void analyze(CameraFrame frame) {
    Manifest m = manifest;
    String want = wantedArtifact;
    if (m == null || want == null) {
      return;
    }
    try {
      if (!want.equals(loadedArtifact)) {
        closeRunner();
        loadedArtifact = want;
        show("Loading " + want + "\u2026");
        int threads = Benchmark.defaultThreads(Runtime.getRuntime().availableProcessors());
        runner = Runners.open(bundleDir, m, m.artifact(want), threads, java.util.Collections.<String, String>emptyMap());
        live = new LiveClassifier(runner, m, m.readLabels(bundleDir));
      }
      if (live == null) {
        return; // this artifact failed to load; the message stays until another is chosen
      }
      LiveClassifier.Result r = live.classify(frame);
      show(r.describe(runner.describe()));
    } catch (Throwable t) {
      closeRunner();
      show(want + " cannot run here: " + t);
    }
  }

  private void closeRunner() {
    live = null;
    if (runner != null) {
      runner.close();
      runner = null;
    }
  }

  /** What the overlay says now (tests). */
  String overlayText() {
    return lastOverlay;
  }

  private void show(String text) {
    lastOverlay = text;
    runOnUiThread(() -> overlay.setText(text));
  }

  private int displayRotationDegrees() {
    int r = Build.VERSION.SDK_INT >= 30 ? getDisplay().getRotation() : getWindowManager().getDefaultDisplay().getRotation();
    switch (r) {
      case Surface.ROTATION_90:
        return 90;
      case Surface.ROTATION_180:
        return 180;
      case Surface.ROTATION_270:
        return 270;
      default:
        return 0;
    }
  }

  /** The preview's matrix for a landscape display (Camera2's sensor buffers are landscape). */
  private void configureTransform(int viewWidth, int viewHeight) {
    if (previewSize == null || viewWidth == 0 || viewHeight == 0) {
      return;
    }
    int rotation = displayRotationDegrees();
    Matrix matrix = new Matrix();
    RectF view = new RectF(0, 0, viewWidth, viewHeight);
    RectF buffer = new RectF(0, 0, previewSize.getHeight(), previewSize.getWidth());
    float cx = view.centerX();
    float cy = view.centerY();
    if (rotation == 90 || rotation == 270) {
      buffer.offset(cx - buffer.centerX(), cy - buffer.centerY());
      matrix.setRectToRect(view, buffer, Matrix.ScaleToFit.FILL);
      float scale = Math.max((float) viewHeight / previewSize.getHeight(), (float) viewWidth / previewSize.getWidth());
      matrix.postScale(scale, scale, cx, cy);
      matrix.postRotate(rotation - 180, cx, cy);
    } else if (rotation == 180) {
      matrix.postRotate(180, cx, cy);
    }
    preview.setTransform(matrix);
  }

  /**
   * The offered size nearest to a target (by area, with the target's aspect ratio preferred).
   *
   * @param sizes what the camera offers (may be null)
   * @param target the wanted size
   * @return the best size, or the target when nothing is offered
   */
  static Size closest(Size[] sizes, Size target) {
    if (sizes == null || sizes.length == 0) {
      return target;
    }
    Size best = null;
    double bestScore = Double.MAX_VALUE;
    double aspect = (double) target.getWidth() / target.getHeight();
    for (Size s : sizes) {
      double area = Math.abs(Math.log((double) s.getWidth() * s.getHeight() / ((double) target.getWidth() * target.getHeight())));
      double ratio = Math.abs(Math.log((double) s.getWidth() / s.getHeight() / aspect));
      double score = area + 4 * ratio;
      if (score < bestScore) {
        bestScore = score;
        best = s;
      }
    }
    return best;
  }
}
