//! Bounded NDJSON readers for replay: plain files, `.gz` files and stdin (`-`).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

/// One line of input, without its line terminator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: u64,
    /// The line's bytes, cut at the reader's limit.
    pub bytes: Vec<u8>,
    /// The line's full length in bytes (larger than `bytes.len()` when the line was cut).
    pub len: u64,
}

impl Line {
    pub fn is_truncated(&self) -> bool {
        self.len > self.bytes.len() as u64
    }
}

/// Reads newline-delimited records, keeping at most `max_line` bytes of any line so that one
/// enormous line cannot exhaust memory. Blank lines are skipped (they carry no record), a `\r` before
/// the `\n` is dropped, and so is a UTF-8 byte order mark at the very start of the input (editors
/// write one; anywhere else it stays and the decoder rejects the line).
///
/// A compressed input that is truncated or corrupt does not fail the whole run: the bytes
/// decompressed since the last newline (possibly none) come back as one last [`Line`], which the
/// decoder then rejects, so the damage shows in the dead-letter output; then the input ends, and
/// [`NdjsonReader::stream_error`] says what went wrong.
pub struct NdjsonReader {
    name: String,
    inner: Box<dyn BufRead + Send>,
    max_line: usize,
    line_no: u64,
    bytes_read: u64,
    compressed: bool,
    stream_error: Option<io::Error>,
}

/// UTF-8 encoding of U+FEFF.
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl NdjsonReader {
    /// Opens `path` (`-` for stdin); files ending in `.gz` are decompressed.
    pub fn open(path: &Path, max_line: usize) -> io::Result<Self> {
        let name = path.display().to_string();
        let raw: Box<dyn Read + Send> = if path == Path::new("-") {
            Box::new(io::stdin())
        } else {
            Box::new(File::open(path).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
            })?)
        };
        let gz = path.extension().is_some_and(|e| e == "gz");
        let inner: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(raw)))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, raw))
        };
        let mut reader = Self::from_reader(name, inner, max_line);
        reader.compressed = gz;
        Ok(reader)
    }

    /// Reads gzip-compressed NDJSON from `inner` (a truncated or corrupt stream ends the input with
    /// one last line, see the type's docs).
    pub fn from_gzip_reader(
        name: impl Into<String>,
        inner: Box<dyn Read + Send>,
        max_line: usize,
    ) -> Self {
        let inner = Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(inner),
        ));
        let mut reader = Self::from_reader(name, inner, max_line);
        reader.compressed = true;
        reader
    }

    pub fn from_reader(
        name: impl Into<String>,
        inner: Box<dyn BufRead + Send>,
        max_line: usize,
    ) -> Self {
        NdjsonReader {
            name: name.into(),
            inner,
            max_line,
            line_no: 0,
            bytes_read: 0,
            compressed: false,
            stream_error: None,
        }
    }

    /// Why a compressed input ended early (truncated or corrupt), once the reader has met it.
    pub fn stream_error(&self) -> Option<&io::Error> {
        self.stream_error.as_ref()
    }

    /// The file name used in dead-letter origins and error messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Decompressed bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Reads the next non-blank line, or `None` at end of input.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        if self.stream_error.is_some() {
            return Ok(None);
        }
        loop {
            let mut bytes = Vec::new();
            let mut len: u64 = 0;
            let mut saw_any = false;
            loop {
                let buf = match self.inner.fill_buf() {
                    Ok(buf) => buf,
                    Err(e) if self.compressed && is_stream_damage(&e) => {
                        // Hand back what was decompressed of this line; the input ends here.
                        self.line_no += 1;
                        self.stream_error = Some(io::Error::new(
                            e.kind(),
                            format!(
                                "{}: compressed input ends early in line {}: {e}",
                                self.name, self.line_no
                            ),
                        ));
                        return Ok(Some(Line {
                            number: self.line_no,
                            bytes,
                            len,
                        }));
                    }
                    Err(e) => {
                        return Err(io::Error::new(
                            e.kind(),
                            format!("{}: line {}: {e}", self.name, self.line_no + 1),
                        ))
                    }
                };
                if buf.is_empty() {
                    break;
                }
                saw_any = true;
                let (chunk, done) = match memchr_newline(buf) {
                    Some(i) => (&buf[..i], Some(i + 1)),
                    None => (buf, None),
                };
                let room = self.max_line.saturating_sub(bytes.len());
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                len += chunk.len() as u64;
                let consumed = done.unwrap_or(buf.len());
                self.inner.consume(consumed);
                self.bytes_read += consumed as u64;
                if done.is_some() {
                    break;
                }
            }
            if !saw_any {
                return Ok(None);
            }
            self.line_no += 1;
            if self.line_no == 1 && bytes.starts_with(BOM) {
                bytes.drain(..BOM.len());
                len -= BOM.len() as u64;
            }
            if bytes.last() == Some(&b'\r') && len == bytes.len() as u64 {
                bytes.pop();
                len -= 1;
            }
            if len == bytes.len() as u64 && bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(Line {
                number: self.line_no,
                bytes,
                len,
            }));
        }
    }
}

/// Errors a decompressor reports for a truncated or corrupt stream (as opposed to the file system's).
fn is_stream_damage(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput
    )
}

fn memchr_newline(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|&b| b == b'\n')
}

/// Expands the command-line inputs: files are kept, directories contribute their `*.ndjson` and
/// `*.ndjson.gz` files in name order (so replay order is deterministic).
pub fn expand_inputs(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    let n = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    n.ends_with(".ndjson") || n.ends_with(".ndjson.gz") || n.ends_with(".jsonl")
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn reader(data: &[u8], max: usize) -> NdjsonReader {
        NdjsonReader::from_reader("mem", Box::new(io::Cursor::new(data.to_vec())), max)
    }

    fn all(mut r: NdjsonReader) -> Vec<Line> {
        let mut v = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            v.push(l);
        }
        v
    }

    #[test]
    fn splits_lines_skips_blank_and_strips_cr() {
        let lines = all(reader(b"a\r\n\n  \nbb\nccc", 100));
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.number, l.bytes.as_slice()))
            .collect();
        assert_eq!(got, vec![(1, &b"a"[..]), (4, &b"bb"[..]), (5, &b"ccc"[..])]);
    }

    #[test]
    fn cuts_long_lines_and_keeps_their_length() {
        let mut data = vec![b'x'; 100_000];
        data.extend_from_slice(b"\nok\n");
        let lines = all(reader(&data, 10));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].bytes.len(), 10);
        assert_eq!(lines[0].len, 100_000);
        assert!(lines[0].is_truncated());
        assert_eq!(lines[1].bytes, b"ok");
    }

    #[test]
    fn reads_gzip_files() {
        let dir = tempfile_dir();
        let path = dir.join("feed.ndjson.gz");
        let mut enc = flate2::write::GzEncoder::new(
            File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        enc.write_all(b"{\"a\":1}\n{\"a\":2}\n").unwrap();
        enc.finish().unwrap();
        let lines = all(NdjsonReader::open(&path, 1000).unwrap());
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].bytes, b"{\"a\":2}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn gz_reader(data: Vec<u8>) -> NdjsonReader {
        NdjsonReader::from_gzip_reader("mem.gz", Box::new(io::Cursor::new(data)), 1000)
    }

    #[test]
    fn strips_a_byte_order_mark_only_at_the_start() {
        let lines = all(reader(b"\xEF\xBB\xBF{\"a\":1}\n\xEF\xBB\xBF{}\n", 100));
        assert_eq!(lines[0].bytes, b"{\"a\":1}");
        assert_eq!(lines[0].len, 7);
        assert_eq!(lines[1].bytes, b"\xEF\xBB\xBF{}");
        // A file holding only a byte order mark holds no record.
        assert!(all(reader(b"\xEF\xBB\xBF\r\n", 100)).is_empty());
    }

    #[test]
    fn truncated_gzip_ends_with_the_partial_line_and_says_why() {
        let data = gzip(b"{\"a\":1}\n{\"a\":2}\n{\"b\":\"a long last line that will be cut\"}\n");
        // Cut inside the compressed stream: the CRC trailer and some data are missing.
        let cut = data[..data.len() - 12].to_vec();
        let mut r = gz_reader(cut);
        let mut lines = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            lines.push(l);
        }
        let err = r.stream_error().expect("truncation is reported");
        assert!(err.to_string().contains("mem.gz"), "{err}");
        let last = lines.last().unwrap();
        assert_eq!(last.number, lines.len() as u64);
        assert!(!last.bytes.ends_with(b"}"), "the cut line is incomplete");
        assert_eq!(lines[0].bytes, b"{\"a\":1}");
        // After the damage the input stays ended.
        assert!(r.next_line().unwrap().is_none());
    }

    #[test]
    fn corrupt_or_non_gzip_input_gives_one_empty_line_not_an_error() {
        let mut r = gz_reader(b"{\"not\":\"gzip\"}\n".to_vec());
        let l = r.next_line().unwrap().expect("a line for the damage");
        assert_eq!((l.number, l.bytes.len(), l.len), (1, 0, 0));
        assert!(r.stream_error().is_some());
        assert!(r.next_line().unwrap().is_none());
        // A whole stream reads clean.
        let mut r = gz_reader(gzip(b"{}\n"));
        assert_eq!(r.next_line().unwrap().unwrap().bytes, b"{}");
        assert!(r.next_line().unwrap().is_none());
        assert!(r.stream_error().is_none());
    }

    #[test]
    fn plain_read_errors_still_fail() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::InvalidData, "disk says no"))
            }
        }
        let mut r = NdjsonReader::from_reader("disk", Box::new(BufReader::new(Failing)), 10);
        let e = r.next_line().unwrap_err();
        assert!(e.to_string().contains("disk: line 1"), "{e}");
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("tocsin-ingest-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
