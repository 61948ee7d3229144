// A box that scrolls sideways (display math, a long inline formula, a code block) fades out
// at each edge that hides more of it, so a reader on a phone sees there is more to scroll to.
// The classes scroll-hint--start and scroll-hint--end say which edges hide something; the
// fade itself is a mask in content.css, so it works on any background, light or dark.

const hinted = new Set();

// A box that scrolls can take the focus, so that a keyboard scrolls it too (WCAG 2.1.1).
function update(box) {
  const hidden = box.scrollWidth - box.clientWidth;
  box.classList.toggle("scroll-hint--start", hidden > 1 && box.scrollLeft > 1);
  box.classList.toggle("scroll-hint--end", hidden > 1 && box.scrollLeft < hidden - 1);
  if (hidden > 1) box.tabIndex = 0;
  else box.removeAttribute("tabindex");
}

export function hintScrolling(boxes) {
  for (const box of boxes) {
    update(box);
    if (hinted.has(box)) continue;
    hinted.add(box);
    box.addEventListener("scroll", () => update(box), { passive: true });
  }
}

// A narrower or wider window changes what overflows.
window.addEventListener("resize", () => {
  for (const box of hinted) {
    if (box.isConnected) update(box);
    else hinted.delete(box);
  }
});
