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
/// enormous line cannot exhaust memory. Blank lines are skipped (they carry no record).
pub struct NdjsonReader {
    name: String,
    inner: Box<dyn BufRead + Send>,
    max_line: usize,
    line_no: u64,
    bytes_read: u64,
}

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
        Ok(Self::from_reader(name, inner, max_line))
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
        }
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
        loop {
            let mut bytes = Vec::new();
            let mut len: u64 = 0;
            let mut saw_any = false;
            loop {
                let buf = self.inner.fill_buf().map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!("{}: line {}: {e}", self.name, self.line_no + 1),
                    )
                })?;
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

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("tocsin-ingest-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
