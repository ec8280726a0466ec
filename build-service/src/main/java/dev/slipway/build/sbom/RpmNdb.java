package dev.slipway.build.sbom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;

/**
 * The header blobs of rpm's own package database format, ndb ({@code Packages.db}: SUSE since SLES
 * 15 SP3 and openSUSE, rpm 4.15 and later built with it), read as rpm's {@code
 * lib/backend/ndb/rpmpkg.c} lays it out, all little-endian: a 32-byte header ({@code RpmP}, version
 * 0, generation, the number of 4 KiB slot pages), then the slot pages of 16-byte slots ({@code
 * Slot}, package index, block offset and count in 16-byte blocks; offset 0 is a free slot), and
 * each package's blob at its block offset: {@code BlbS}, package index, generation, length, the
 * header, padding, then Adler-32, length and {@code BlbE}. Every check rpm makes on reading is made
 * here, the checksum included.
 *
 * <p>A hostile image's file cannot make it loop or allocate without bound: the slot pages must lie
 * in the file, each slot's blocks too, and all blobs together may not exceed the file's own size
 * (each header is stored once), nor their count {@link #MAX_PACKAGES}.
 */
final class RpmNdb {

  /** More packages than any real image holds. */
  static final int MAX_PACKAGES = 100_000;

  private static final int MAGIC = 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24;
  private static final int SLOT_MAGIC = 'S' | 'l' << 8 | 'o' << 16 | 't' << 24;
  private static final int BLOB_HEAD_MAGIC = 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24;
  private static final int BLOB_TAIL_MAGIC = 'B' | 'l' << 8 | 'b' << 16 | 'E' << 24;
  private static final int HEADER_SIZE = 32;
  private static final int PAGE_SIZE = 4096;
  private static final int SLOT_SIZE = 16;
  private static final int BLOCK_SIZE = 16;
  private static final int BLOB_HEAD = 16;
  private static final int BLOB_TAIL = 12;

  private RpmNdb() {}

  /** Whether {@code content} starts like an ndb package database. */
  static boolean isNdb(byte[] content) {
    return content.length >= HEADER_SIZE
        && ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MAGIC;
  }

  /** The header blobs of the database, in slot order. */
  static List<byte[]> headers(byte[] content) throws IOException {
    if (!isNdb(content)) {
      throw new IOException("not an rpm ndb database (no RpmP magic)");
    }
    ByteBuffer file = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
    int version = file.getInt(4);
    if (version != 0) {
      throw new IOException("an ndb version " + version + " rpm never wrote");
    }
    long slotPages = Integer.toUnsignedLong(file.getInt(12));
    if (slotPages == 0 || slotPages * PAGE_SIZE > content.length) {
      throw new IOException(
          "the database names " + slotPages + " slot pages but holds " + content.length + " bytes");
    }
    if (content.length % BLOCK_SIZE != 0) {
      throw new IOException("a database of " + content.length + " bytes, not whole blocks");
    }
    long fileBlocks = content.length / BLOCK_SIZE;
    long firstBlob = slotPages * (PAGE_SIZE / BLOCK_SIZE);
    long budget = content.length;
    List<byte[]> headers = new ArrayList<>();
    for (int at = HEADER_SIZE; at < slotPages * PAGE_SIZE; at += SLOT_SIZE) {
      if (file.getInt(at) != SLOT_MAGIC) {
        throw new IOException("slot " + at / SLOT_SIZE + " without its magic");
      }
      long blockOffset = Integer.toUnsignedLong(file.getInt(at + 8));
      if (blockOffset == 0) {
        continue; // a free slot
      }
      int index = file.getInt(at + 4);
      long blocks = Integer.toUnsignedLong(file.getInt(at + 12));
      if (index == 0 || blocks == 0 || blockOffset < firstBlob) {
        throw new IOException("slot " + at / SLOT_SIZE + " is no package's");
      }
      if (blockOffset + blocks > fileBlocks) {
        throw new IOException("slot " + at / SLOT_SIZE + " names blocks past the file's end");
      }
      if (headers.size() == MAX_PACKAGES) {
        throw new IOException("more than " + MAX_PACKAGES + " packages");
      }
      byte[] blob = blob(file, index, blockOffset, blocks, budget);
      budget -= blob.length;
      headers.add(blob);
    }
    return headers;
  }

  private static byte[] blob(ByteBuffer file, int index, long blockOffset, long blocks, long budget)
      throws IOException {
    int start = Math.toIntExact(blockOffset * BLOCK_SIZE);
    if (blocks * BLOCK_SIZE < BLOB_HEAD + BLOB_TAIL) {
      throw new IOException("package " + index + " in fewer blocks than a blob needs");
    }
    if (file.getInt(start) != BLOB_HEAD_MAGIC || file.getInt(start + 4) != index) {
      throw new IOException("package " + index + " whose blob does not start where its slot says");
    }
    long length = Integer.toUnsignedLong(file.getInt(start + 12));
    if ((BLOB_HEAD + length + BLOB_TAIL + BLOCK_SIZE - 1) / BLOCK_SIZE != blocks) {
      throw new IOException("package " + index + " whose blob length does not fit its blocks");
    }
    if (length > budget) {
      throw new IOException("blobs larger together than the file that holds them");
    }
    int tail = Math.toIntExact(start + blocks * BLOCK_SIZE - BLOB_TAIL);
    Adler32 adler = new Adler32();
    adler.update(file.array(), start, tail - start);
    if ((int) adler.getValue() != file.getInt(tail)
        || Integer.toUnsignedLong(file.getInt(tail + 4)) != length
        || file.getInt(tail + 8) != BLOB_TAIL_MAGIC) {
      throw new IOException("package " + index + " whose blob fails its checksum or tail");
    }
    byte[] blob = new byte[(int) length];
    file.get(start + BLOB_HEAD, blob);
    return blob;
  }
}
