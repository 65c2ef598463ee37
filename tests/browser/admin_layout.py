"""What the admin's browser tests ask of a page's layout on a small screen, kept once so
the dashboard's and the phone's tests hold every page to the same rule."""

# What a page of the admin shows that is past the screen's edge and not in a box that
# scrolls sideways, or a table too wide for its box that no keyboard can scroll, or a box
# that does not reach its table's last column; and whether the page (or Wagtail's <main>,
# which hides what sticks out) is wider than the screen. Hidden things do not count.
# `{main: true}` also asks that <main> itself be no wider than the screen: the dashboard
# holds to that, while on some list pages (ticket categories, verification, trades at
# 390 px) something hidden stretches <main> though no visible element is past the edge.
CUT_OFF = """(options) => {
    options = options || {};  // Playwright passes null when no argument is given
    const width = document.documentElement.clientWidth;
    const main = document.querySelector('main');
    const problems = [];
    const name = (element) => element.tagName.toLowerCase()
        + (element.id ? '#' + element.id : '')
        + [...element.classList].map((c) => '.' + c).join('')
        + ' "' + (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
    const scroller = (element) => {
        for (let box = element.parentElement; box && box !== main; box = box.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return box;
        }
        return null;
    };
    const inside = (rect) => rect.left >= -1 && rect.right <= width + 1;
    const shown = (element) => {
        if (!element.checkVisibility({ visibilityProperty: true })) return false;
        const rect = element.getBoundingClientRect();
        return rect.width > 1 && rect.height > 1;
    };
    if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('the page scrolls sideways');
    if (options.main && main.scrollWidth > main.clientWidth + 1) problems.push('<main> is wider than the screen');
    for (const table of main.querySelectorAll('table')) {
        if (!shown(table)) continue;
        const box = scroller(table);
        if (!box) {
            if (!inside(table.getBoundingClientRect())) problems.push('table cut off: ' + name(table));
            continue;
        }
        if (!inside(box.getBoundingClientRect())) problems.push('scrolling box past the edge: ' + name(box));
        if (box.scrollWidth > box.clientWidth + 1 && box.tabIndex < 0
            && !box.querySelector('a[href], button, input, select, textarea, [tabindex]')) {
            problems.push('no keyboard way into the scrolling box of ' + name(table));
        }
        const before = box.scrollLeft;
        box.scrollLeft = box.scrollWidth;
        const reached = table.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1;
        box.scrollLeft = before;
        if (!reached) problems.push('the last column cannot be scrolled to: ' + name(table));
    }
    for (const element of main.querySelectorAll('*')) {
        if (!shown(element) || inside(element.getBoundingClientRect()) || scroller(element)) continue;
        problems.push('past the edge: ' + name(element));
    }
    return problems.slice(0, 20);
}"""
