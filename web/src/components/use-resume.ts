// Resuming from the dashboard: post the resume, then open the new run on the same page. The one way the eval and
// experiment pages do it.
import { ref } from 'vue';
import { useRouter } from 'vue-router';
import { http } from '../api/http';

/** `section` is the pages' path (`evals`, `experiments`); `id()` the run shown. */
export function useResume(section: string, id: () => string) {
  const router = useRouter();
  const resuming = ref(false);
  const resumeError = ref<unknown>();
  const resume = async () => {
    resuming.value = true;
    resumeError.value = undefined;
    try {
      const run = await http.post<{ id: string }>(`/${section}/${id()}/resume`, {});
      await router.push(`/${section}/${run.id}`);
    } catch (err) {
      resumeError.value = err;
    } finally {
      resuming.value = false;
    }
  };
  return { resuming, resumeError, resume };
}
