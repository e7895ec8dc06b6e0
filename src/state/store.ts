/**
 * The studio store: one vanilla zustand store made of the slices in slices.ts, plus the React
 * hook. Create isolated stores in tests with createStudioStore().
 *
 *   import { useStudio } from '../state/store';
 *   const status = useStudio((s) => s.status);
 */
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  createDemoSlice, createFilesSlice, createRunSlice, createRunsSlice, createSystemSlice, createTaskSlice, type StudioState,
} from './slices';

export type StudioStore = StoreApi<StudioState>;

export function createStudioStore(): StudioStore {
  return createStore<StudioState>()((...a) => ({
    ...createFilesSlice(...a),
    ...createTaskSlice(...a),
    ...createRunSlice(...a),
    ...createDemoSlice(...a),
    ...createRunsSlice(...a),
    ...createSystemSlice(...a),
  }));
}

/** The page's store (one per tab). */
export const studioStore: StudioStore = createStudioStore();

export function useStudio<T>(selector: (state: StudioState) => T): T {
  return useStore(studioStore, selector);
}

export type { StudioState } from './slices';
