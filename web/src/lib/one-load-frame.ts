// An app frame's bridge belongs to its first load: a second document in the frame (the view navigated it) gets no
// bridge, and the page says so until the person reloads it (a new frame, counted afresh).
import { ref } from 'vue';

export function useOneLoadFrame(bridge: { close(): void; open(): Promise<void> | void }) {
  const navigatedAway = ref(false);
  /** The frame's key: a reload mounts a new frame. */
  const mount = ref(0);
  let loads = 0;
  /** Another document got into the frame: the bridge closes and the frame goes. */
  function away() {
    bridge.close();
    navigatedAway.value = true;
  }
  function onLoad() {
    if (++loads > 1) away();
  }
  function reload() {
    bridge.close();
    loads = 0;
    navigatedAway.value = false;
    mount.value++;
    void bridge.open();
  }
  return { navigatedAway, mount, onLoad, away, reload, loaded: () => loads > 0 };
}
