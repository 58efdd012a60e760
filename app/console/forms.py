"""The console's forms (Flask-WTF: each carries the session's CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.console.accounts import MIN_PASSWORD


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class NewUserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])
    role = SelectField("Role", choices=[("agent", "Agent"), ("admin", "Admin")])


class AnswerForm(FlaskForm):
    answer = TextAreaField("Answer", validators=[DataRequired(), Length(max=480)])


class NoteForm(FlaskForm):
    body = TextAreaField("Note", validators=[DataRequired(), Length(max=4000)])


class TicketForm(FlaskForm):
    summary = StringField("What is wrong", validators=[DataRequired(), Length(max=500)])
