package org.mobilekit.demo;

import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.os.BatteryManager;
import java.io.BufferedReader;
import java.io.FileReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.mobilekit.demo.core.BatterySample;
import org.mobilekit.demo.core.EnergyMeter;

/**
 * Samples the battery at {@link #start}, on its own thread every {@code periodMs} (100 ms: about 10 Hz),
 * and at {@link #stop}, so even a window shorter than one period is bracketed; it keeps the raw
 * readings ({@link BatterySample}): BatteryManager ({@code CURRENT_NOW} µA, the sticky intent's voltage
 * mV, plug state and status, {@code ENERGY_COUNTER} nWh) and sysfs power_supply ({@code current_now},
 * {@code voltage_now}, {@code status}, {@code usb/online}, {@code ac/online}) where the app may read
 * it. No arithmetic here: the device runner computes energy from these (one algorithm).
 */
final class BatteryMeter implements EnergyMeter {
  static final String SYSFS = "/sys/class/power_supply";

  private final Context context;
  private final BatteryManager bm;
  private final long periodMs;
  private final List<BatterySample> samples = new ArrayList<>();
  private Thread thread;
  private volatile boolean running;

  BatteryMeter(Context context, BatteryManager bm, long periodMs) {
    this.context = context;
    this.bm = bm;
    this.periodMs = periodMs;
  }

  @Override
  public synchronized void start() {
    stop();
    synchronized (samples) {
      samples.clear();
      samples.add(read()); // one reading at the window's start, however short the window is
    }
    running = true;
    thread = new Thread(this::loop, "mobilekit-battery");
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(periodMs);
      } catch (InterruptedException e) {
        return;
      }
      if (!running) {
        return;
      }
      BatterySample s = read();
      synchronized (samples) {
        samples.add(s);
      }
    }
  }

  private BatterySample read() {
    long now = System.currentTimeMillis();
    int ua = bm.getIntProperty(BatteryManager.BATTERY_PROPERTY_CURRENT_NOW);
    long nwh = bm.getLongProperty(BatteryManager.BATTERY_PROPERTY_ENERGY_COUNTER);
    Intent battery = context.registerReceiver(null, new IntentFilter(Intent.ACTION_BATTERY_CHANGED));
    int mv = battery == null ? -1 : battery.getIntExtra(BatteryManager.EXTRA_VOLTAGE, -1);
    int plugged = battery == null ? -1 : battery.getIntExtra(BatteryManager.EXTRA_PLUGGED, -1);
    int status = battery == null ? -1 : battery.getIntExtra(BatteryManager.EXTRA_STATUS, -1);
    return new BatterySample(now,
        ua == Integer.MIN_VALUE ? null : ua,
        mv > 0 ? mv : null,
        plugged >= 0 ? plugged : null,
        status >= 0 ? status : null,
        nwh == Long.MIN_VALUE || nwh <= 0 ? null : nwh,
        readLong(SYSFS + "/battery/current_now"),
        readLong(SYSFS + "/battery/voltage_now"),
        readLine(SYSFS + "/battery/status"),
        readInt(SYSFS + "/usb/online"),
        readInt(SYSFS + "/ac/online"));
  }

  /** First line of a sysfs file, or null where it is missing or SELinux denies it. */
  static String readLine(String path) {
    try (BufferedReader r = new BufferedReader(new FileReader(path))) {
      String line = r.readLine();
      return line == null ? null : line.trim();
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  static Long readLong(String path) {
    String s = readLine(path);
    try {
      return s == null ? null : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Integer readInt(String path) {
    Long v = readLong(path);
    return v == null ? null : (int) (long) v;
  }

  @Override
  public synchronized List<BatterySample> stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
      synchronized (samples) {
        samples.add(read()); // and one at its end: the window is always bracketed
      }
    }
    synchronized (samples) {
      return new ArrayList<>(samples);
    }
  }
}
