//! Waiting for a file descriptor: the green sockets of [`net`](super::net)
//! park here while the hub runs the other greenlets.

use std::rc::Rc;

use super::hub::{in_greenlet, park, with_hub};
use super::task::Park;

/// Waits until `fd` is readable (or writable): inside a greenlet the hub runs
/// the others meanwhile, as gevent's patched sockets do; on the main stack it
/// simply blocks.
pub(crate) fn wait_fd(fd: std::os::fd::BorrowedFd<'_>, writable: bool) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    if !in_greenlet() {
        let flags = if writable {
            nix::poll::PollFlags::POLLOUT
        } else {
            nix::poll::PollFlags::POLLIN
        };
        let mut fds = [nix::poll::PollFd::new(fd, flags)];
        return crate::interrupt::blocking(|slice| {
            let timeout = slice.map_or(nix::poll::PollTimeout::NONE, |slice| {
                nix::poll::PollTimeout::try_from(slice).unwrap_or(nix::poll::PollTimeout::MAX)
            });
            match nix::poll::poll(&mut fds, timeout) {
                Ok(0) | Err(nix::errno::Errno::EINTR) => None,
                Ok(_) => Some(Ok(())),
                Err(e) => Some(Err(e.into())),
            }
        });
    }
    let (poller, key) = with_hub(|hub| -> std::io::Result<_> {
        let poller = match &hub.poller {
            Some(p) => p.clone(),
            None => {
                let p = Rc::new(polling::Poller::new()?);
                hub.poller = Some(p.clone());
                p
            }
        };
        hub.next_key += 1;
        let key = hub.next_key;
        let me = hub.current.clone().expect("in a greenlet");
        let ticket = me.turns().ticket();
        hub.io.insert(key, (me, ticket));
        Ok((poller, key))
    })?;
    let interest = if writable {
        polling::Event::writable(key)
    } else {
        polling::Event::readable(key)
    };
    // SAFETY: the descriptor stays open until the guard below deletes it,
    // before we return (or unwind, if killed while waiting).
    unsafe { poller.add(fd.as_raw_fd(), interest) }?;
    struct Registered<'a>(Rc<polling::Poller>, std::os::fd::BorrowedFd<'a>, usize);
    impl Drop for Registered<'_> {
        fn drop(&mut self) {
            let _ = self.0.delete(self.1);
            with_hub(|hub| hub.io.remove(&self.2));
        }
    }
    let _registered = Registered(poller, fd, key);
    if let Some(lane) = crate::trace::here() {
        let what = if writable {
            "socket writable"
        } else {
            "socket readable"
        };
        crate::trace::mark(lane, crate::trace::State::Waiting, format_args!("{what}"));
    }
    park(Park::Waiting);
    Ok(())
}
