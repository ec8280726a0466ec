package dev.slipway.build.sbom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of rpm's Berkeley DB hash database ({@code /var/lib/rpm/Packages}: CentOS and RHEL 7
 * and older, SLES 12, Amazon Linux 2), which are rpm header blobs keyed by their instance number,
 * read without Berkeley DB as rpm's own read-only backend ({@code lib/backend/bdb_ro.c}) and
 * go-rpmdb read it: the metadata page names the page size and the last page; every hash page (type
 * 13, or 2 in old releases) holds key/value index pairs whose items are either on the page ({@code
 * H_KEYDATA}, type 1) or on a chain of overflow pages ({@code H_OFFPAGE}, type 3, then pages of
 * type 7). Both byte orders are read.
 *
 * <p>A hostile image's file cannot make it loop or allocate without bound: every page number is
 * checked against the file, an overflow chain must add bytes with each page and stops at its
 * declared length, and all values together may not exceed the file's own size (each header is
 * stored once), nor their count {@link #MAX_VALUES}.
 */
final class RpmBerkeleyDb {

  /** More headers than any real image holds. */
  static final int MAX_VALUES = 100_000;

  private static final int HASH_MAGIC = 0x00061561;
  private static final int PAGE_HEADER = 26;
  private static final int HASH_PAGE = 13;
  private static final int HASH_PAGE_OLD = 2;
  private static final int OVERFLOW_PAGE = 7;
  private static final int KEYDATA = 1;
  private static final int OFFPAGE = 3;

  private final ByteBuffer file;
  private final int pageSize;
  private final long lastPage;
  private long budget;

  private RpmBerkeleyDb(ByteBuffer file, int pageSize, long lastPage) {
    this.file = file;
    this.pageSize = pageSize;
    this.lastPage = lastPage;
    this.budget = file.capacity();
  }

  /** Whether {@code content} starts like a Berkeley DB hash database. */
  static boolean isHashDatabase(byte[] content) {
    if (content.length < 512) {
      return false;
    }
    int magic = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
    return magic == HASH_MAGIC || magic == Integer.reverseBytes(HASH_MAGIC);
  }

  /** The header blobs of the database, in page order; the instance counter (key 0) left out. */
  static List<byte[]> headers(byte[] content) throws IOException {
    if (!isHashDatabase(content)) {
      throw new IOException("not a Berkeley DB hash database");
    }
    ByteBuffer buffer = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
    if (buffer.getInt(12) != HASH_MAGIC) {
      buffer.order(ByteOrder.BIG_ENDIAN);
    }
    int version = buffer.getInt(16);
    int pageSize = buffer.getInt(20);
    long lastPage = Integer.toUnsignedLong(buffer.getInt(32));
    if (version < 8 || version > 10) {
      throw new IOException("a Berkeley DB hash version " + version + " rpm never wrote");
    }
    if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
      throw new IOException("a page size of " + pageSize + " bytes");
    }
    if ((lastPage + 1) * pageSize > content.length) {
      throw new IOException(
          "the database names page " + lastPage + " but holds " + content.length + " bytes");
    }
    return new RpmBerkeleyDb(buffer, pageSize, lastPage).values();
  }

  private List<byte[]> values() throws IOException {
    List<byte[]> values = new ArrayList<>();
    for (long page = 1; page <= lastPage; page++) {
      int start = Math.toIntExact(page * pageSize);
      int type = file.get(start + 25) & 0xff;
      if (type != HASH_PAGE && type != HASH_PAGE_OLD) {
        continue;
      }
      int items = file.getShort(start + 20) & 0xffff;
      if (items % 2 != 0 || PAGE_HEADER + 2L * items > pageSize) {
        throw new IOException("hash page " + page + " with " + items + " index entries");
      }
      for (int pair = 0; pair < items; pair += 2) {
        int keyOffset = index(start, pair);
        int valueOffset = index(start, pair + 1);
        int keyEnd = pair == 0 ? pageSize : index(start, pair - 1);
        if (valueOffset >= keyOffset || keyOffset >= keyEnd) {
          throw new IOException("hash page " + page + " whose items overlap");
        }
        byte[] key = item(start, keyOffset, keyEnd - keyOffset);
        if (key.length == 4 && ByteBuffer.wrap(key).getInt() == 0) {
          continue; // rpm's next-instance counter, no header
        }
        if (values.size() == MAX_VALUES) {
          throw new IOException("more than " + MAX_VALUES + " packages");
        }
        values.add(item(start, valueOffset, keyOffset - valueOffset));
      }
    }
    return values;
  }

  private int index(int pageStart, int i) throws IOException {
    int offset = file.getShort(pageStart + PAGE_HEADER + 2 * i) & 0xffff;
    if (offset < PAGE_HEADER || offset >= pageSize) {
      throw new IOException("an item offset of " + offset + " outside its page");
    }
    return offset;
  }

  /** An item at {@code offset} of the page at {@code pageStart}, {@code length} bytes on it. */
  private byte[] item(int pageStart, int offset, int length) throws IOException {
    int type = file.get(pageStart + offset) & 0xff;
    if (type == KEYDATA) {
      return take(pageStart + offset + 1, length - 1);
    }
    if (type != OFFPAGE || length != 12) {
      throw new IOException("a hash item of type " + type + " and " + length + " bytes");
    }
    long page = Integer.toUnsignedLong(file.getInt(pageStart + offset + 4));
    long total = Integer.toUnsignedLong(file.getInt(pageStart + offset + 8));
    if (total == 0 || total > budget) {
      throw new IOException("an item of " + total + " bytes in a file of " + file.capacity());
    }
    budget -= total;
    byte[] value = new byte[(int) total];
    int filled = 0;
    while (filled < total) {
      if (page == 0 || page > lastPage) {
        throw new IOException("an overflow chain that leaves the file at page " + page);
      }
      int start = Math.toIntExact(page * pageSize);
      if ((file.get(start + 25) & 0xff) != OVERFLOW_PAGE) {
        throw new IOException("an overflow chain through page " + page + ", no overflow page");
      }
      int bytes = file.getShort(start + 22) & 0xffff;
      if (bytes == 0 || PAGE_HEADER + bytes > pageSize || bytes > total - filled) {
        throw new IOException("overflow page " + page + " with " + bytes + " bytes");
      }
      file.get(start + PAGE_HEADER, value, filled, bytes);
      filled += bytes;
      page = Integer.toUnsignedLong(file.getInt(start + 16));
    }
    return value;
  }

  private byte[] take(int from, int length) throws IOException {
    if (length < 0 || length > budget) {
      throw new IOException("an item of " + length + " bytes");
    }
    budget -= length;
    byte[] value = new byte[length];
    file.get(from, value);
    return value;
  }
}
