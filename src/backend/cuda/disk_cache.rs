//! Compiled CUDA kernels (cubins) cached on disk, so a second process compiles nothing.
//!
//! NVRTC takes tens of milliseconds per kernel; a program that evaluates the 66 Zernike
//! modes would spend most of its first run compiling. Each cubin is stored under a key
//! that covers everything that decides its bytes: the CUDA C source text, the GPU
//! architecture (`sm_90` code does not run on `sm_80`) and this crate's version (a new
//! release may print or compile differently). Files are written atomically (a temporary
//! file, then a rename) and carry a checksum: a corrupt, truncated or unreadable file is
//! ignored and the kernel recompiled, never reported as an error.
//!
//! This module has no CUDA dependency, so it is tested on every machine.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that chooses the cache directory.
pub const CACHE_DIR_ENV: &str = "MATHENGINE_CUDA_CACHE_DIR";
/// First bytes of every cache file (format version 1).
const MAGIC: &[u8; 8] = b"MECUBIN1";
/// Magic, then the SHA-256 of the payload.
const HEADER: usize = 8 + 32;

/// A directory of cached cubins.
///
/// ```
/// use mathengine::backend::cuda::disk_cache::DiskCache;
/// let dir = std::env::temp_dir().join(format!("mathengine-doc-cache-{}", std::process::id()));
/// let cache = DiskCache::new(&dir);
/// let key = DiskCache::key("extern \"C\" __global__ void k() {}", 90);
/// cache.store(&key, b"cubin bytes")?;
/// assert_eq!(cache.load(&key).as_deref(), Some(&b"cubin bytes"[..]));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskCache {
    dir: PathBuf,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Sha256::digest(bytes));
    out
}

impl DiskCache {
    /// A cache in `dir` (created when the first file is stored).
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// let cache = DiskCache::new("/tmp/my-kernels");
    /// assert_eq!(cache.dir(), std::path::Path::new("/tmp/my-kernels"));
    /// ```
    pub fn new(dir: impl Into<PathBuf>) -> DiskCache {
        DiskCache { dir: dir.into() }
    }

    /// The default directory: `$MATHENGINE_CUDA_CACHE_DIR` if set and not empty, else
    /// the user's cache directory + `mathengine/cuda` (e.g. `~/.cache/mathengine/cuda`);
    /// `None` when neither is known (then nothing is cached on disk).
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// if let Some(dir) = DiskCache::default_dir() {
    ///     println!("cubins are cached in {}", dir.display());
    /// }
    /// ```
    pub fn default_dir() -> Option<PathBuf> {
        match std::env::var_os(CACHE_DIR_ENV) {
            Some(d) if !d.is_empty() => Some(PathBuf::from(d)),
            _ => dirs::cache_dir().map(|d| d.join("mathengine").join("cuda")),
        }
    }

    /// A cache in [`DiskCache::default_dir`], if there is one.
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// let cache: Option<DiskCache> = DiskCache::from_env();
    /// # let _ = cache;
    /// ```
    pub fn from_env() -> Option<DiskCache> {
        Self::default_dir().map(DiskCache::new)
    }

    /// The directory this cache reads and writes.
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// assert_eq!(DiskCache::new("/tmp/k").dir().to_str(), Some("/tmp/k"));
    /// ```
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a kernel: SHA-256 (hex) of its CUDA C source, the architecture
    /// (`arch` = 90 for sm_90) and this crate's version.
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// let k = DiskCache::key("src", 90);
    /// assert_eq!(k.len(), 64);
    /// assert_ne!(k, DiskCache::key("src", 80));
    /// ```
    pub fn key(source: &str, arch: u32) -> String {
        Self::key_for_version(source, arch, env!("CARGO_PKG_VERSION"))
    }

    /// [`DiskCache::key`] for a given crate version (what a release change does to keys).
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// assert_ne!(
    ///     DiskCache::key_for_version("src", 90, "0.1.0"),
    ///     DiskCache::key_for_version("src", 90, "0.2.0")
    /// );
    /// ```
    pub fn key_for_version(source: &str, arch: u32, version: &str) -> String {
        let mut h = Sha256::new();
        // Length-prefixed parts, so no two (source, arch, version) give the same bytes.
        for part in [
            source.as_bytes(),
            arch.to_string().as_bytes(),
            version.as_bytes(),
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        hex(&h.finalize())
    }

    /// The file that holds `key`.
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// let p = DiskCache::new("/tmp/k").path("ab12");
    /// assert_eq!(p.to_str(), Some("/tmp/k/ab12.cubin"));
    /// ```
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.cubin"))
    }

    /// The cubin stored under `key`; `None` if there is none or the file is unreadable,
    /// truncated or corrupt (its checksum does not match).
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// let cache = DiskCache::new(std::env::temp_dir().join("mathengine-doc-missing"));
    /// assert_eq!(cache.load("0000"), None);
    /// ```
    pub fn load(&self, key: &str) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return None;
        }
        let payload = &bytes[HEADER..];
        (bytes[8..HEADER] == sha256(payload)).then(|| payload.to_vec())
    }

    /// Store `cubin` under `key`, atomically: readers see the old file or the new one,
    /// never a part. Creates the directory if needed.
    ///
    /// ```
    /// use mathengine::backend::cuda::disk_cache::DiskCache;
    /// let dir = std::env::temp_dir().join(format!("mathengine-doc-store-{}", std::process::id()));
    /// DiskCache::new(&dir).store("k", &[1, 2, 3])?;
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn store(&self, key: &str, cubin: &[u8]) -> std::io::Result<()> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join(format!(
            ".{key}.{}.{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(MAGIC)?;
            f.write_all(&sha256(cubin))?;
            f.write_all(cubin)?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, self.path(key))
        };
        let result = write();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str) -> TempDir {
            let d = std::env::temp_dir().join(format!(
                "mathengine-cuda-cache-{name}-{}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&d);
            TempDir(d)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn store_then_load_round_trips() {
        let d = TempDir::new("roundtrip");
        let cache = DiskCache::new(d.0.join("nested/dir"));
        let key = DiskCache::key("__global__ void k() {}", 90);
        assert_eq!(cache.load(&key), None);
        let cubin: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        cache.store(&key, &cubin).unwrap();
        assert_eq!(cache.load(&key), Some(cubin.clone()));
        // Overwriting replaces the file.
        cache.store(&key, b"other").unwrap();
        assert_eq!(cache.load(&key).as_deref(), Some(&b"other"[..]));
        // Empty payloads are valid too.
        cache.store("empty", b"").unwrap();
        assert_eq!(cache.load("empty"), Some(Vec::new()));
    }

    #[test]
    fn corrupt_truncated_or_foreign_files_are_ignored() {
        let d = TempDir::new("corrupt");
        let cache = DiskCache::new(&d.0);
        let key = DiskCache::key("src", 90);
        cache.store(&key, b"0123456789abcdef").unwrap();
        let path = cache.path(&key);
        let good = std::fs::read(&path).unwrap();

        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        assert_eq!(cache.load(&key), None, "a flipped payload bit");

        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        assert_eq!(cache.load(&key), None, "a truncated file");

        std::fs::write(&path, &good[..10]).unwrap();
        assert_eq!(cache.load(&key), None, "a file shorter than the header");

        std::fs::write(&path, b"").unwrap();
        assert_eq!(cache.load(&key), None, "an empty file");

        let mut foreign = good.clone();
        foreign[0] = b'X';
        std::fs::write(&path, &foreign).unwrap();
        assert_eq!(cache.load(&key), None, "a file of another format");

        // A directory where the file should be: unreadable, not an error.
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert_eq!(cache.load(&key), None, "a directory in the file's place");
        std::fs::remove_dir(&path).unwrap();

        // Storing again repairs the entry.
        std::fs::write(&path, b"garbage").unwrap();
        cache.store(&key, b"fresh").unwrap();
        assert_eq!(cache.load(&key).as_deref(), Some(&b"fresh"[..]));
    }

    #[test]
    fn stores_are_atomic_and_leave_no_temporary_files() {
        let d = TempDir::new("atomic");
        let cache = DiskCache::new(&d.0);
        let a: Vec<u8> = vec![0xAA; 1 << 16];
        let b: Vec<u8> = vec![0xBB; 1 << 16];
        cache.store("k", &a).unwrap();
        // Writers and readers race on one key: a reader sees a whole old or new file.
        std::thread::scope(|s| {
            for t in 0..4 {
                let (cache, a, b) = (&cache, &a, &b);
                s.spawn(move || {
                    for i in 0..25 {
                        cache
                            .store("k", if (i + t) % 2 == 0 { a } else { b })
                            .unwrap();
                    }
                });
                s.spawn(move || {
                    for _ in 0..50 {
                        let got = cache.load("k").expect("always a complete file");
                        assert!(got == *a || got == *b);
                    }
                });
            }
        });
        let names: Vec<String> = std::fs::read_dir(&d.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["k.cubin".to_string()]);
    }

    #[test]
    fn store_into_an_unwritable_place_is_an_io_error() {
        let d = TempDir::new("unwritable");
        std::fs::create_dir_all(&d.0).unwrap();
        let file = d.0.join("plain-file");
        std::fs::write(&file, b"x").unwrap();
        // The cache directory would have to be inside a regular file.
        let cache = DiskCache::new(file.join("sub"));
        assert!(cache.store("k", b"data").is_err());
        assert_eq!(cache.load("k"), None);
    }

    #[test]
    fn key_covers_source_arch_and_version() {
        let k = DiskCache::key_for_version("src", 90, "0.1.0");
        assert_eq!(k.len(), 64);
        assert!(k.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(k, DiskCache::key_for_version("src", 90, "0.1.0"));
        assert_ne!(k, DiskCache::key_for_version("src", 80, "0.1.0"));
        assert_ne!(k, DiskCache::key_for_version("src", 90, "0.1.1"));
        assert_ne!(k, DiskCache::key_for_version("src ", 90, "0.1.0"));
        // Parts cannot run into each other.
        assert_ne!(
            DiskCache::key_for_version("a9", 0, "x"),
            DiskCache::key_for_version("a", 90, "x")
        );
        assert_eq!(
            DiskCache::key("src", 90),
            DiskCache::key_for_version("src", 90, env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn sha256_matches_the_published_test_vector() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn default_dir_honours_the_environment() {
        // Only checks the variable's effect when it is set by the caller's environment;
        // setting it here would race with other tests reading it.
        match std::env::var_os(CACHE_DIR_ENV) {
            Some(d) if !d.is_empty() => {
                assert_eq!(DiskCache::default_dir(), Some(PathBuf::from(d)))
            }
            _ => {
                if let Some(c) = dirs::cache_dir() {
                    assert_eq!(
                        DiskCache::default_dir(),
                        Some(c.join("mathengine").join("cuda"))
                    );
                }
            }
        }
    }
}
