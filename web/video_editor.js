// A video's title, description, tags and category (PATCH /api/v1/videos/{id}).
import { api, listCategories } from './api.js';
import { announce, field, h } from './dom.js';

export function detailsEditor(video, saved) {
  const title = h('input', { type: 'text', value: video.title, maxlength: 300, required: true });
  const description = h('textarea', { rows: 3, maxlength: 10000 }, video.description);
  const tags = h('input', { type: 'text', value: video.tags.join(', ') });
  const category = h('select', {}, h('option', { value: '' }, 'None'));
  listCategories().then((cs) => {
    for (const c of cs) category.append(h('option', { value: c.slug, selected: c.slug === video.category }, c.name));
  });
  return h('form', { class: 'editor', onsubmit: async (e) => {
    e.preventDefault();
    const body = {
      title: title.value.trim(),
      description: description.value.trim(),
      tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      category: category.value || null,
    };
    try {
      saved(await api(`/api/v1/videos/${video.id}`, { method: 'PATCH', body }));
      announce('Details saved.');
    } catch (err) { announce(`Not saved: ${err.message}`); }
  } },
  field('Title', title), field('Description', description), field('Tags', tags, 'Separated by commas'),
  field('Category', category), h('button', { type: 'submit' }, 'Save details'));
}
