package dev.slipway.build.log;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The log of one build while it runs: lines from the steps' output and from the service itself,
 * masked before they are kept anywhere, numbered, buffered until {@link #flush} hands them to the
 * store, and the last lines kept for a failure's tail.
 *
 * <p>The repository cannot make it unbounded: a line longer than {@link Limits#maxLineLength()} is
 * cut (the rest of it is never even held in memory) with a marker saying how much was dropped, and
 * once the stored lines reach {@link Limits#maxBytes()} the steps' further output is dropped, with
 * one marker line saying so; the service's own lines still get a small reserve after that, so the
 * log always ends with how the build ended.
 */
public final class BuildLog {

  /** How many lines a failure report carries at most. */
  public static final int TAIL_LINES = 50;

  /** Room left for the service's own lines once the steps' output filled the log. */
  static final long SERVICE_RESERVE = 64 * 1024;

  /**
   * How much of a build's output is kept.
   *
   * @param maxBytes bytes (UTF-8) of lines stored for a build
   * @param maxLineLength characters of one line kept
   */
  public record Limits(long maxBytes, int maxLineLength) {
    /** Generous limits, for tests of other things. */
    public static final Limits DEFAULT = new Limits(8L * 1024 * 1024, 8192);
  }

  private volatile SecretMasker masker;
  private final BiConsumer<Long, List<String>> store;
  private final Limits limits;
  private final Deque<String> tail = new ArrayDeque<>();
  private final List<String> buffer = new ArrayList<>();
  private final Object flushing = new Object();
  private long nextSeq;
  private long bufferStart;
  private long storedBytes;
  private boolean full;
  private long dropped;

  /**
   * @param masker masks the build's secrets
   * @param firstSeq sequence number of the first line this log writes
   * @param store receives (sequence of the first line, lines) on each flush
   */
  public BuildLog(SecretMasker masker, long firstSeq, BiConsumer<Long, List<String>> store) {
    this(masker, firstSeq, store, Limits.DEFAULT);
  }

  public BuildLog(
      SecretMasker masker, long firstSeq, BiConsumer<Long, List<String>> store, Limits limits) {
    this.masker = masker;
    this.store = store;
    this.limits = limits;
    this.nextSeq = firstSeq;
    this.bufferStart = firstSeq;
  }

  /**
   * Adds secret values learnt while the build runs (its secret variables, a clone token); streams
   * opened from now on and every later line mask them.
   */
  public void addSecrets(java.util.Collection<String> values) {
    masker = masker.with(values);
  }

  /** A line from the service itself, e.g. a stage starting; masked like everything else. */
  public void info(String line) {
    String masked = masker.mask(line);
    for (String part : masked.split("\r?\n", -1)) {
      add(cut(part, 0), true);
    }
  }

  /** A stream of raw output (a process's stdout and stderr), masked across chunk boundaries. */
  public Stream stream() {
    return new Stream();
  }

  /** Masks a text that leaves the build some other way, e.g. a failure reason. */
  public String mask(String text) {
    return masker.mask(text);
  }

  /** The last lines, at most {@link #TAIL_LINES}. */
  public synchronized List<String> tail() {
    return List.copyOf(tail);
  }

  /** Lines of the steps' output not kept because the log was full. */
  public synchronized long dropped() {
    return dropped;
  }

  /**
   * Hands the buffered lines to the store; one flush at a time, so lines arrive in order. When the
   * store fails (the database is away) the lines stay buffered for the next flush.
   */
  public void flush() {
    synchronized (flushing) {
      List<String> lines;
      long first;
      synchronized (this) {
        if (buffer.isEmpty()) {
          return;
        }
        lines = List.copyOf(buffer);
        first = bufferStart;
      }
      store.accept(first, lines);
      synchronized (this) {
        buffer.subList(0, lines.size()).clear();
        bufferStart = first + lines.size();
      }
    }
  }

  private String cut(String line, long more) {
    long over = line.length() - limits.maxLineLength() + more;
    if (over <= 0) {
      return line;
    }
    return line.substring(0, Math.min(line.length(), limits.maxLineLength()))
        + " … [line cut: "
        + over
        + " more characters]";
  }

  private synchronized void add(String line, boolean service) {
    tail.addLast(line);
    if (tail.size() > TAIL_LINES) {
      tail.removeFirst();
    }
    long bytes = line.getBytes(StandardCharsets.UTF_8).length + 1L;
    if (!full && storedBytes + bytes > limits.maxBytes()) {
      full = true;
      String marker =
          "==> the log reached its limit of "
              + limits.maxBytes() / 1024
              + " KiB: the steps' further output is not kept (the build goes on)";
      buffer.add(marker);
      nextSeq++;
      storedBytes += marker.length() + 1;
    }
    if (full && (!service || storedBytes + bytes > limits.maxBytes() + SERVICE_RESERVE)) {
      dropped++;
      return;
    }
    buffer.add(line);
    nextSeq++;
    storedBytes += bytes;
  }

  /** Raw output cut into lines after masking; {@link #close} releases an unfinished last line. */
  public final class Stream implements AutoCloseable {

    private final SecretMasker streamMasker = masker.copy();
    private final StringBuilder partial = new StringBuilder();
    private long overflow;

    private Stream() {}

    /** The next chunk of output, as read. */
    public void write(CharSequence chunk) {
      split(streamMasker.accept(chunk));
    }

    @Override
    public void close() {
      split(streamMasker.flush());
      if (!partial.isEmpty() || overflow > 0) {
        emit();
      }
    }

    private void split(String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\n') {
          int end = partial.length();
          if (end > 0 && partial.charAt(end - 1) == '\r') {
            partial.setLength(end - 1);
          }
          emit();
        } else if (partial.length() < limits.maxLineLength()) {
          partial.append(c);
        } else {
          overflow++;
        }
      }
    }

    private void emit() {
      add(cut(partial.toString(), overflow), false);
      partial.setLength(0);
      overflow = 0;
    }
  }
}
