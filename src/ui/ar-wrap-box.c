/* ar-wrap-box.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-wrap-box.h"

struct _ArWrapBox {
  GtkWidget parent_instance;

  int spacing;
  int row_spacing;
};

static void ar_wrap_box_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ArWrapBox, ar_wrap_box, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE, ar_wrap_box_buildable_init))

enum {
  PROP_0,
  PROP_SPACING,
  PROP_ROW_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static GtkBuildableIface *parent_buildable_iface;

typedef struct {
  GtkWidget *child;
  int width;
  int row;
} Place;

/* Places the visible children in rows at @width; returns the number of
 * places filled in @places (as many as there are children). */
static guint
layout (ArWrapBox *self, int width, Place *places)
{
  guint n = 0;
  int x = 0, row = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      int min, nat, w;

      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      w = MAX (min, MIN (nat, width));
      if (x > 0 && x + self->spacing + w > width)
        {
          row++;
          x = 0;
        }
      if (x > 0)
        x += self->spacing;
      places[n].child = child;
      places[n].width = w;
      places[n].row = row;
      x += w;
      n++;
    }
  return n;
}

static guint
count_children (ArWrapBox *self)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

/* Gives the room left in each row to its children with hexpand. */
static void
expand_rows (ArWrapBox *self, int width, Place *places, guint n)
{
  for (guint start = 0; start < n;)
    {
      guint end = start;
      int used = 0, n_expand = 0, extra;

      while (end < n && places[end].row == places[start].row)
        {
          used += places[end].width + (end > start ? self->spacing : 0);
          if (gtk_widget_compute_expand (places[end].child, GTK_ORIENTATION_HORIZONTAL))
            n_expand++;
          end++;
        }
      extra = width - used;
      if (extra > 0 && n_expand > 0)
        for (guint i = start; i < end; i++)
          if (gtk_widget_compute_expand (places[i].child, GTK_ORIENTATION_HORIZONTAL))
            {
              int share = extra / n_expand;

              places[i].width += share;
              extra -= share;
              n_expand--;
            }
      start = end;
    }
}

static void
measure_height (ArWrapBox *self, int width, int *minimum, int *natural)
{
  guint n_children = count_children (self);
  g_autofree Place *places = g_new0 (Place, MAX (n_children, 1));
  guint n = layout (self, width, places);
  int row_min = 0, row_nat = 0;

  *minimum = *natural = 0;
  expand_rows (self, width, places, n);
  for (guint i = 0; i < n; i++)
    {
      int min, nat;

      gtk_widget_measure (places[i].child, GTK_ORIENTATION_VERTICAL, places[i].width, &min, &nat, NULL, NULL);
      row_min = MAX (row_min, min);
      row_nat = MAX (row_nat, nat);
      if (i + 1 == n || places[i + 1].row != places[i].row)
        {
          int gap = places[i].row > 0 ? self->row_spacing : 0;

          *minimum += row_min + gap;
          *natural += row_nat + gap;
          row_min = row_nat = 0;
        }
    }
}

static void
ar_wrap_box_measure (GtkWidget *widget,
                     GtkOrientation orientation,
                     int for_size,
                     int *minimum,
                     int *natural,
                     int *minimum_baseline,
                     int *natural_baseline)
{
  ArWrapBox *self = AR_WRAP_BOX (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gboolean first = TRUE;

      *minimum = *natural = 0;
      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          int min, nat;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
          *minimum = MAX (*minimum, min);
          *natural += nat + (first ? 0 : self->spacing);
          first = FALSE;
        }
    }
  else
    {
      int width = for_size;

      if (width < 0)
        {
          int min_width, nat_width;

          ar_wrap_box_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, &nat_width, NULL, NULL);
          width = nat_width;
        }
      measure_height (self, width, minimum, natural);
      /* The natural height is that of the natural width; a narrower
       * allocation asks again with its width. */
      *natural = MAX (*natural, *minimum);
    }
}

static GtkSizeRequestMode
ar_wrap_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ar_wrap_box_size_allocate (GtkWidget *widget,
                           int width,
                           int height,
                           int baseline)
{
  ArWrapBox *self = AR_WRAP_BOX (widget);
  guint n_children = count_children (self);
  g_autofree Place *places = g_new0 (Place, MAX (n_children, 1));
  guint n = layout (self, width, places);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int y = 0;

  expand_rows (self, width, places, n);
  for (guint start = 0; start < n;)
    {
      guint end = start;
      int row_height = 0, x = 0;

      while (end < n && places[end].row == places[start].row)
        {
          int min, nat;

          gtk_widget_measure (places[end].child, GTK_ORIENTATION_VERTICAL, places[end].width, &min, &nat, NULL, NULL);
          row_height = MAX (row_height, nat);
          end++;
        }
      if (start > 0)
        y += self->row_spacing;
      for (guint i = start; i < end; i++)
        {
          GtkAllocation a = { rtl ? width - x - places[i].width : x, y, places[i].width, row_height };

          gtk_widget_size_allocate (places[i].child, &a, -1);
          x += places[i].width + self->spacing;
        }
      y += row_height;
      start = end;
    }
}

void
ar_wrap_box_append (ArWrapBox *self, GtkWidget *child)
{
  g_return_if_fail (AR_IS_WRAP_BOX (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  gtk_widget_set_parent (child, GTK_WIDGET (self));
}

static void
ar_wrap_box_buildable_add_child (GtkBuildable *buildable,
                                 GtkBuilder *builder,
                                 GObject *child,
                                 const char *type)
{
  if (GTK_IS_WIDGET (child))
    ar_wrap_box_append (AR_WRAP_BOX (buildable), GTK_WIDGET (child));
  else
    parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
ar_wrap_box_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = ar_wrap_box_buildable_add_child;
}

static void
ar_wrap_box_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ar_wrap_box_parent_class)->dispose (object);
}

static void
ar_wrap_box_get_property (GObject *object,
                          guint prop_id,
                          GValue *value,
                          GParamSpec *pspec)
{
  ArWrapBox *self = AR_WRAP_BOX (object);

  switch (prop_id)
    {
    case PROP_SPACING: g_value_set_int (value, self->spacing); break;
    case PROP_ROW_SPACING: g_value_set_int (value, self->row_spacing); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_wrap_box_set_property (GObject *object,
                          guint prop_id,
                          const GValue *value,
                          GParamSpec *pspec)
{
  ArWrapBox *self = AR_WRAP_BOX (object);

  switch (prop_id)
    {
    case PROP_SPACING: self->spacing = g_value_get_int (value); break;
    case PROP_ROW_SPACING: self->row_spacing = g_value_get_int (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); return;
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
ar_wrap_box_class_init (ArWrapBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_wrap_box_dispose;
  object_class->get_property = ar_wrap_box_get_property;
  object_class->set_property = ar_wrap_box_set_property;
  widget_class->measure = ar_wrap_box_measure;
  widget_class->size_allocate = ar_wrap_box_size_allocate;
  widget_class->get_request_mode = ar_wrap_box_get_request_mode;

  properties[PROP_SPACING] =
    g_param_spec_int ("spacing", NULL, NULL, 0, G_MAXINT, 6,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROW_SPACING] =
    g_param_spec_int ("row-spacing", NULL, NULL, 0, G_MAXINT, 6,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "wrapbox");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ar_wrap_box_init (ArWrapBox *self)
{
  self->spacing = 6;
  self->row_spacing = 6;
}

GtkWidget *
ar_wrap_box_new (int spacing, int row_spacing)
{
  return g_object_new (AR_TYPE_WRAP_BOX, "spacing", spacing, "row-spacing", row_spacing, NULL);
}
