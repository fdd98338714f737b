//! Bodies of the faults that misbehave while streaming: a huge JSON list, a gzip bomb, a body
//! that never comes, and a real answer trickled out a few bytes at a time. All of them are
//! generated as they are sent (never held in memory) and stop when the store's runtime ends.

use std::time::Duration;

use axum::body::{Body, Bytes};
use futures_util::StreamExt as _;

/// Bytes generated per chunk.
const CHUNK: usize = 64 * 1024;

/// One product-like object of the huge list; `n` makes every object different.
fn huge_item(n: u64) -> String {
    format!(
        "{{\"id\":{id},\"name\":\"Bulk item {n}\",\"sku\":\"BULK-{n:08}\",\"type\":\"simple\",\"status\":\"publish\",\"regular_price\":\"9.90\",\"manage_stock\":true,\"stock_quantity\":{stock},\"stock_status\":\"instock\"}}",
        id = 100_000 + n,
        stock = n % 50
    )
}

/// A JSON list of product-like objects exactly `total` bytes long (at least `[]`): objects while
/// they fit, then spaces (JSON whitespace) up to the closing bracket.
pub(crate) fn huge_json(total: u64) -> Body {
    let total = total.max(2);
    let stream =
        futures_util::stream::unfold((0u64, 0u64, false), move |(sent, n, done)| async move {
            if done {
                return None;
            }
            let mut chunk = String::with_capacity(CHUNK + 512);
            let (mut sent, mut n) = (sent, n);
            if sent == 0 {
                chunk.push('[');
                sent = 1;
            }
            while chunk.len() < CHUNK {
                let room = total - sent - 1;
                let item = huge_item(n);
                let separator = u64::from(n > 0);
                let needed = item.len() as u64 + separator;
                if needed <= room {
                    if n > 0 {
                        chunk.push(',');
                    }
                    chunk.push_str(&item);
                    sent += needed;
                    n += 1;
                    continue;
                }
                let pad = usize::try_from(room)
                    .unwrap_or(usize::MAX)
                    .min(CHUNK - chunk.len());
                chunk.extend(std::iter::repeat_n(' ', pad));
                sent += pad as u64;
                if sent + 1 == total {
                    chunk.push(']');
                    sent += 1;
                }
                break;
            }
            let finished = sent == total;
            Some((
                Ok::<_, std::io::Error>(Bytes::from(chunk)),
                (sent, n, finished),
            ))
        });
    Body::from_stream(stream)
}

/// A body that never arrives: the status line and headers go out, then nothing.
pub(crate) fn silence() -> Body {
    Body::from_stream(futures_util::stream::pending::<Result<Bytes, std::io::Error>>())
}

/// `body` sent `chunk` bytes at a time, one chunk per `every`.
pub(crate) fn trickle(body: Bytes, chunk: usize, every: Duration) -> Body {
    let chunk = chunk.max(1);
    let stream = futures_util::stream::unfold(body, move |rest| async move {
        if rest.is_empty() {
            return None;
        }
        tokio::time::sleep(every).await;
        let mut rest = rest;
        let piece = rest.split_to(chunk.min(rest.len()));
        Some((Ok::<_, std::io::Error>(piece), rest))
    });
    Body::from_stream(stream.boxed())
}

/// CRC-32 (IEEE) lookup table.
fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    for (n, slot) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    table
}

/// An affine map `r ↦ M·r ⊕ c` over GF(2)³² (the CRC register update), `M` by columns.
#[derive(Clone, Copy)]
struct Affine {
    columns: [u32; 32],
    constant: u32,
}

impl Affine {
    fn apply_linear(&self, v: u32) -> u32 {
        (0..32)
            .filter(|i| v & (1 << i) != 0)
            .fold(0, |acc, i| acc ^ self.columns[i])
    }

    /// `self` after `first`.
    fn after(&self, first: &Affine) -> Affine {
        let mut columns = [0u32; 32];
        for (i, column) in columns.iter_mut().enumerate() {
            *column = self.apply_linear(first.columns[i]);
        }
        Affine {
            columns,
            constant: self.apply_linear(first.constant) ^ self.constant,
        }
    }

    fn identity() -> Affine {
        let mut columns = [0u32; 32];
        for (i, column) in columns.iter_mut().enumerate() {
            *column = 1 << i;
        }
        Affine {
            columns,
            constant: 0,
        }
    }
}

/// CRC-32 of `count` copies of `byte`, in O(log count): the per-byte register update is
/// affine, so its `count`-th power is found by squaring.
pub(crate) fn crc32_of_repeated(byte: u8, count: u64) -> u32 {
    let table = crc_table();
    let mut columns = [0u32; 32];
    for (i, column) in columns.iter_mut().enumerate() {
        let r = 1u32 << i;
        *column = table[(r & 0xFF) as usize] ^ (r >> 8);
    }
    let mut base = Affine {
        columns,
        constant: table[usize::from(byte)],
    };
    let mut result = Affine::identity();
    let mut n = count;
    while n > 0 {
        if n & 1 == 1 {
            result = base.after(&result);
        }
        base = base.after(&base);
        n >>= 1;
    }
    !(result.apply_linear(0xFFFF_FFFF) ^ result.constant)
}

/// Writes bits least significant first, as DEFLATE packs them.
#[derive(Default)]
struct BitWriter {
    acc: u64,
    bits: u32,
    out: Vec<u8>,
}

impl BitWriter {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.bits;
        self.bits += count;
        while self.bits >= 8 {
            self.out.push((self.acc & 0xFF) as u8);
            self.acc >>= 8;
            self.bits -= 8;
        }
    }

    /// A Huffman code, which DEFLATE stores most significant bit first.
    fn code(&mut self, code: u32, length: u32) {
        self.put(code.reverse_bits() >> (32 - length), length);
    }

    fn flush(&mut self) {
        if self.bits > 0 {
            self.out.push((self.acc & 0xFF) as u8);
            self.acc = 0;
            self.bits = 0;
        }
    }

    fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
}

/// The block's Huffman codes (value, length), chosen so a 258-byte match costs two bits:
/// length 258 (symbol 285) is `0`, a space (32) `10`, end of block (256) `11`, and the only
/// distance code (0, distance 1) is `0`.
const MATCH_258: [(u32, u32); 2] = [(0, 1), (0, 1)];
const SPACE: (u32, u32) = (0b10, 2);
const END_OF_BLOCK: (u32, u32) = (0b11, 2);

/// The header of the one dynamic-Huffman block: the code lengths above, themselves written with
/// a code-length code where 18 (a run of zeros) is `0`, 1 is `10` and 2 is `11`.
fn write_block_header(writer: &mut BitWriter) {
    writer.put(1, 1); // last block
    writer.put(2, 2); // dynamic Huffman codes
    writer.put(286 - 257, 5); // literal/length codes 0..=285
    writer.put(0, 5); // one distance code
    writer.put(18 - 4, 4); // code-length code lengths sent, in RFC 1951's order
    // Order: 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1.
    for length in [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2] {
        writer.put(length, 3);
    }
    let zeros = |writer: &mut BitWriter, run: u32| {
        writer.code(0, 1);
        writer.put(run - 11, 7);
    };
    let length = |writer: &mut BitWriter, value: u32| match value {
        1 => writer.code(0b10, 2),
        _ => writer.code(0b11, 2),
    };
    zeros(writer, 32); // 0..=31
    length(writer, 2); // 32: space
    zeros(writer, 138); // 33..=170
    zeros(writer, 85); // 171..=255
    length(writer, 2); // 256: end of block
    zeros(writer, 28); // 257..=284
    length(writer, 1); // 285: length 258
    length(writer, 1); // distance code 0
}

/// A gzip stream that inflates to `expanded` spaces: one literal space, then matches of 258
/// bytes at distance 1 that cost two bits each, so the compressed size is about 1/1000 of
/// `expanded` (DEFLATE's limit).
pub(crate) fn gzip_bomb(expanded: u64) -> Body {
    let expanded = expanded.max(1);
    let matches = (expanded - 1) / 258;
    let literals_after = (expanded - 1) % 258;
    // Matches per chunk: 16 KiB of compressed output.
    const MATCHES_PER_CHUNK: u64 = 4 * 16 * 1024;
    let header: Vec<u8> = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let stream = futures_util::stream::unfold(
        (Some(header), BitWriter::default(), 0u64, false),
        move |(header, mut writer, done_matches, finished)| async move {
            if let Some(header) = header {
                write_block_header(&mut writer);
                writer.code(SPACE.0, SPACE.1);
                let mut first = header;
                first.extend(writer.take());
                return Some((
                    Ok::<_, std::io::Error>(Bytes::from(first)),
                    (None, writer, 0, false),
                ));
            }
            if finished {
                return None;
            }
            tokio::task::yield_now().await;
            let batch = MATCHES_PER_CHUNK.min(matches - done_matches);
            for _ in 0..batch {
                for (code, length) in MATCH_258 {
                    writer.code(code, length);
                }
            }
            let done_matches = done_matches + batch;
            if done_matches < matches {
                return Some((
                    Ok(Bytes::from(writer.take())),
                    (None, writer, done_matches, false),
                ));
            }
            for _ in 0..literals_after {
                writer.code(SPACE.0, SPACE.1);
            }
            writer.code(END_OF_BLOCK.0, END_OF_BLOCK.1);
            writer.flush();
            let mut tail = writer.take();
            tail.extend(crc32_of_repeated(b' ', expanded).to_le_bytes());
            tail.extend(((expanded & 0xFFFF_FFFF) as u32).to_le_bytes());
            Some((Ok(Bytes::from(tail)), (None, writer, done_matches, true)))
        },
    );
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc32(data: &[u8]) -> u32 {
        let table = crc_table();
        !data.iter().fold(0xFFFF_FFFFu32, |r, b| {
            table[((r ^ u32::from(*b)) & 0xFF) as usize] ^ (r >> 8)
        })
    }

    #[test]
    fn repeated_crc_matches_the_plain_computation() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        for count in [0u64, 1, 2, 7, 258, 1000, 4097] {
            let data = vec![b' '; usize::try_from(count).unwrap_or(0)];
            assert_eq!(crc32_of_repeated(b' ', count), crc32(&data), "{count}");
        }
    }

    async fn collect(body: Body) -> Vec<u8> {
        axum::body::to_bytes(body, usize::MAX)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn huge_json_has_exactly_the_asked_size_and_parses() {
        for size in [2u64, 3, 100, 1000, 200_000] {
            let bytes = collect(huge_json(size)).await;
            assert_eq!(bytes.len() as u64, size);
            let value: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
            assert!(value.is_array());
        }
        let value: serde_json::Value =
            serde_json::from_slice(&collect(huge_json(200_000)).await).expect("JSON");
        assert!(value.as_array().map_or(0, Vec::len) > 1000);
    }
}
